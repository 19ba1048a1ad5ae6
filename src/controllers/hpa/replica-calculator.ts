import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue } from '../../api/quantity.js';

/** Upstream defaults (kube-controller-manager flags). */
export const TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** One pod's usage of a resource in milli-units, with the sample's time and window. */
export interface PodMetric {
  valueMilli: number;
  timestampMs: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorConfig {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  nowMs: number;
}

export class CalculationError extends Error {}

interface Grouped {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Upstream groupPods: which pods count, which are unready (cpu only), missing or ignored. */
export function groupPods(
  pods: Pod[],
  metrics: PodMetrics,
  resource: string,
  cfg: CalculatorConfig,
): Grouped {
  const g: Grouped = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (
      pod.metadata?.deletionTimestamp ||
      pod.status?.phase === 'Failed' ||
      pod.status?.phase === 'Succeeded'
    ) {
      g.ignored.add(name);
      continue;
    }
    if ((pod.status?.phase ?? 'Pending') === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || start === undefined) unready = true;
      else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
        if (start + cfg.cpuInitializationPeriodMs > cfg.nowMs) {
          // Within the initialization period: ignore a pod that is unready, or whose sample predates readiness.
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Later: ignore only a pod that never became ready since its start.
          unready = ready.status === 'False' && start + cfg.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/**
 * Requests of `resource` per pod (milli-units), as upstream's calculatePodRequests: the sum over the app and
 * sidecar containers, or the named container's alone; throws when a counted container has none.
 */
export function podRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    const counted = [...(pod.spec?.containers ?? []), ...sidecars].filter(
      (c) => container === undefined || c.name === container,
    );
    if (container !== undefined && counted.length === 0) {
      throw new CalculationError(`container ${container} not found in Pod ${name}`);
    }
    let sum = 0;
    for (const c of counted) {
      const q = c.resources?.requests?.[resource];
      if (q === undefined) {
        throw new CalculationError(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
      }
      sum += Number(quantityMilliValue(parseQuantity(q)));
    }
    out.set(name, sum);
  }
  return out;
}

/** Upstream GetResourceUtilizationRatio. */
export function utilizationRatio(
  metrics: PodMetrics,
  requests: Map<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverageMilli: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += m.valueMilli;
    requestsTotal += request;
    n++;
  }
  if (requestsTotal === 0) throw new CalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return {
    ratio: utilization / targetUtilization,
    utilization,
    rawAverageMilli: Math.trunc(metricsTotal / n),
  };
}

function withoutPods(metrics: PodMetrics, names: Set<string>): PodMetrics {
  const out = new Map(metrics);
  for (const n of names) out.delete(n);
  return out;
}

export interface ResourceResult {
  replicas: number;
  /** Percent of request (Utilization targets). */
  utilization?: number;
  /** Average usage in milli-units. */
  rawAverageMilli: number;
  timestampMs: number;
}

function newestTimestamp(metrics: PodMetrics): number {
  let t = 0;
  for (const m of metrics.values()) t = Math.max(t, m.timestampMs);
  return t;
}

/**
 * The pods grouped as upstream does (ignored, unready, missing) and the metrics that count: those of ready,
 * selected pods. Throws when there are no pods or no usable metrics.
 */
function usableMetrics(pods: Pod[], allMetrics: PodMetrics, resource: string, cfg: CalculatorConfig) {
  if (pods.length === 0)
    throw new CalculationError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, allMetrics, resource, cfg);
  const usable = withoutPods(withoutPods(allMetrics, g.ignored), g.unready);
  // Metrics of pods the selector no longer matches do not count.
  const known = new Set(pods.map((p) => p.metadata?.name ?? ''));
  for (const name of [...usable.keys()]) if (!known.has(name)) usable.delete(name);
  if (usable.size === 0)
    throw new CalculationError('did not receive metrics for targeted pods (pods might be unready)');
  return { g, usable };
}

/** Upstream GetResourceReplicas: desired replicas for a Utilization target. */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  allMetrics: PodMetrics,
  pods: Pod[],
  cfg: CalculatorConfig,
  container?: string,
): ResourceResult {
  const { g, usable } = usableMetrics(pods, allMetrics, resource, cfg);
  let metrics = usable;
  const requests = podRequests(pods, resource, container);
  const timestampMs = newestTimestamp(metrics);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const result = (replicas: number): ResourceResult => ({
    replicas,
    utilization: first.utilization,
    rawAverageMilli: first.rawAverageMilli,
    timestampMs,
  });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= cfg.tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * g.readyCount));
  }
  metrics = new Map(metrics);
  if (g.missing.size > 0) {
    // Scale-down: assume missing pods use their full request (or the target above 100%); scale-up: nothing.
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) {
      const valueMilli = first.ratio < 1 ? ((requests.get(name) ?? 0) * fallback) / 100 : 0;
      if (first.ratio !== 1) metrics.set(name, { valueMilli, timestampMs, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready)
    for (const name of g.unready) metrics.set(name, { valueMilli: 0, timestampMs, windowMs: 0 });
  const next = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= cfg.tolerance || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) {
    return result(currentReplicas);
  }
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(replicas);
}

/** Upstream GetRawResourceReplicas / calcPlainMetricReplicas: desired replicas for an AverageValue target. */
export function averageValueReplicas(
  currentReplicas: number,
  targetMilli: number,
  resource: string,
  allMetrics: PodMetrics,
  pods: Pod[],
  cfg: CalculatorConfig,
): ResourceResult {
  const { g, usable } = usableMetrics(pods, allMetrics, resource, cfg);
  let metrics = usable;
  const timestampMs = newestTimestamp(metrics);
  const usageRatio = (m: PodMetrics): { ratio: number; average: number } => {
    let total = 0;
    for (const v of m.values()) total += v.valueMilli;
    const average = total / m.size;
    return { ratio: average / targetMilli, average };
  };
  const first = usageRatio(metrics);
  const result = (replicas: number): ResourceResult => ({
    replicas,
    rawAverageMilli: Math.trunc(first.average),
    timestampMs,
  });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= cfg.tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * g.readyCount));
  }
  metrics = new Map(metrics);
  for (const name of g.missing) {
    if (first.ratio < 1) metrics.set(name, { valueMilli: targetMilli, timestampMs, windowMs: 0 });
    else if (first.ratio > 1) metrics.set(name, { valueMilli: 0, timestampMs, windowMs: 0 });
  }
  if (scaleUpWithUnready)
    for (const name of g.unready) metrics.set(name, { valueMilli: 0, timestampMs, windowMs: 0 });
  const next = usageRatio(metrics).ratio;
  if (Math.abs(1 - next) <= cfg.tolerance || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) {
    return result(currentReplicas);
  }
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(replicas);
}
