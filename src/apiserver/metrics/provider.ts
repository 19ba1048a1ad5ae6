/**
 * What the API server needs from a metrics pipeline to serve metrics.k8s.io/v1beta1 (upstream metrics-server's
 * api.MetricsGetter). The API server reads the Node and Pod objects itself (names, labels, selectors) and asks the
 * provider only for usage; whatever implements this is wired in by the CLI.
 */
export interface ResourceUsage {
  /** Quantities as strings, e.g. { cpu: '250m', memory: '64Mi' }. */
  cpu: string;
  memory: string;
}

export interface NodeUsagePoint {
  /** When the latest sample was taken (ms since the epoch). */
  timestampMs: number;
  /** The interval the cpu rate was computed over. */
  windowMs: number;
  usage: ResourceUsage;
}

export interface PodUsagePoint {
  timestampMs: number;
  windowMs: number;
  containers: { name: string; usage: ResourceUsage }[];
}

/** A scraper in this thread answers at once; one in another thread (the control-plane worker) by message. */
type Answer<T> = T | Promise<T>;

export interface MetricsProvider {
  /** Usage for each named node, undefined where there is no (complete) sample yet. */
  getNodeMetrics(names: string[]): Answer<(NodeUsagePoint | undefined)[]>;
  /** Usage for each pod, undefined where there is no (complete) sample yet. */
  getPodMetrics(pods: { namespace: string; name: string }[]): Answer<(PodUsagePoint | undefined)[]>;
}
