import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import {
  addQuantities,
  compareQuantities,
  parseQuantity,
  quantityMilliValue,
  type Quantity,
} from './quantity.js';

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (upstream podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * The parts of a pod status that a kubelet owns and others act on: the phase and readiness. Two statuses with
 * different gists disagree in a way the kubelet must correct: the node lifecycle controller marks the pods of
 * a silent node not ready, and the kubelet, still running them, writes its own view back (upstream's status
 * manager does the same).
 */
export function podStatusGist(status: PodStatus | undefined): string {
  const of = (type: string): string => status?.conditions?.find((c) => c.type === type)?.status ?? '';
  return `${status?.phase ?? ''}|${of('Ready')}|${of('ContainersReady')}`;
}

/** Not terminal and not being deleted: counts toward a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

/**
 * A pod's total requests or limits as upstream's resource helpers (PodRequests/PodLimits): app containers and
 * sidecars (init containers with `restartPolicy: Always`, which keep running) add up; a regular init container
 * runs beside the sidecars started before it, and the pod needs the largest such sum where that is bigger.
 * Overhead is added when asked for (the scheduler and quota count it; LimitRanger does not).
 */
export function podResourceTotals(
  pod: Pod,
  kind: 'requests' | 'limits',
  withOverhead = false,
): Map<string, Quantity> {
  const totals = new Map<string, Quantity>();
  const addAll = (into: Map<string, Quantity>, list: Record<string, string> | undefined): void => {
    for (const [name, value] of Object.entries(list ?? {})) {
      const q = parseQuantity(value);
      const prior = into.get(name);
      into.set(name, prior ? addQuantities(prior, q) : q);
    }
  };
  const raise = (into: Map<string, Quantity>, from: Map<string, Quantity>): void => {
    for (const [name, q] of from) {
      const prior = into.get(name);
      if (!prior || compareQuantities(q, prior) > 0) into.set(name, q);
    }
  };
  for (const c of pod.spec?.containers ?? []) addAll(totals, c.resources?.[kind]);
  const sidecars = new Map<string, Quantity>();
  const initPeak = new Map<string, Quantity>();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = c.resources?.[kind];
    if (c.restartPolicy === 'Always') {
      addAll(totals, own);
      addAll(sidecars, own);
      raise(initPeak, sidecars);
    } else {
      const running = new Map(sidecars);
      addAll(running, own);
      raise(initPeak, running);
    }
  }
  raise(totals, initPeak);
  if (withOverhead) addAll(totals, pod.spec?.overhead);
  return totals;
}

/**
 * What the scheduler charges a pod (upstream resource.PodRequests, overhead included) in milli-units, keyed by
 * resource name: millicores for cpu, thousandths of bytes or counts for everything else.
 */
export function podRequestsMilli(pod: Pod): Map<string, bigint> {
  const milli = new Map<string, bigint>();
  for (const [name, q] of podResourceTotals(pod, 'requests', true)) milli.set(name, quantityMilliValue(q));
  return milli;
}

export function sumQuantities(values: string[]): Quantity {
  return values.reduce<Quantity>((acc, v) => addQuantities(acc, parseQuantity(v)), parseQuantity(0));
}
