export type { MetricsProvider, NodeUsagePoint, PodUsagePoint, ResourceUsage } from './provider.js';
export {
  METRICS_GROUP,
  METRICS_VERSION,
  metricsLegacyGroup,
  metricsResourceList,
  withMetricsGroup,
} from './discovery.js';
export { serveMetrics, type MetricsRequest } from './serve.js';
