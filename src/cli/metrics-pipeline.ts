import type { MetricsProvider } from '../apiserver/metrics/provider.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ClientConfig, Informer, Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';

/**
 * The API server needs its metrics provider before it serves, the scraper needs a client of the serving API:
 * this provider answers "no samples yet" until the scraper is attached.
 */
export class DeferredMetricsProvider implements MetricsProvider {
  target: MetricsProvider | undefined;
  getNodeMetrics(names: string[]): ReturnType<MetricsProvider['getNodeMetrics']> {
    return this.target ? this.target.getNodeMetrics(names) : names.map(() => undefined);
  }
  getPodMetrics(pods: { namespace: string; name: string }[]): ReturnType<MetricsProvider['getPodMetrics']> {
    return this.target ? this.target.getPodMetrics(pods) : pods.map(() => undefined);
  }
}

export interface MetricsPipelineOptions {
  client: ClientConfig;
  logger: Logger;
  intervalMs?: number;
  kubeletTls?: { caPem: string; certPem: string; keyPem: string };
  /** A node informer shared with the thread's other components. */
  nodes?: Informer<Node>;
}

/** Starts the metrics scraper (metrics-server's role) and attaches it to the provider. */
export async function startMetricsPipeline(
  provider: DeferredMetricsProvider,
  opts: MetricsPipelineOptions,
): Promise<Stoppable> {
  const { MetricsScraper } = await import('../metrics/index.js');
  const scraper = new MetricsScraper({
    client: opts.client,
    logger: opts.logger,
    ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
    ...(opts.kubeletTls ? { kubeletTls: opts.kubeletTls } : {}),
    ...(opts.nodes ? { nodes: opts.nodes } : {}),
  });
  // Not awaited: the scraper waits for its node informer, which must not hold up the server's start or stop.
  void scraper.start();
  provider.target = scraper;
  return {
    stop: async () => {
      provider.target = undefined;
      await scraper.stop();
    },
  };
}
