import type { Container, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { addQuantities, parseQuantity, quantityMilliValue, type Quantity } from './quantity.js';

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
 * What the scheduler charges a pod (upstream resource.PodRequests): the sum of app container requests, or the
 * largest init container request when that is bigger, plus pod overhead. Values are milli-units for cpu and
 * plain units (bytes, counts) as bigint milli-values for everything else, keyed by resource name.
 */
export function podRequestsMilli(pod: Pod): Map<string, bigint> {
  const sum = new Map<string, bigint>();
  const add = (into: Map<string, bigint>, c: Container): void => {
    for (const [name, value] of Object.entries(c.resources?.requests ?? {})) {
      into.set(name, (into.get(name) ?? 0n) + quantityMilliValue(parseQuantity(value)));
    }
  };
  for (const c of pod.spec?.containers ?? []) add(sum, c);
  for (const c of pod.spec?.initContainers ?? []) {
    const one = new Map<string, bigint>();
    add(one, c);
    for (const [name, v] of one) if (v > (sum.get(name) ?? 0n)) sum.set(name, v);
  }
  for (const [name, value] of Object.entries(pod.spec?.overhead ?? {})) {
    sum.set(name, (sum.get(name) ?? 0n) + quantityMilliValue(parseQuantity(value)));
  }
  return sum;
}

export function sumQuantities(values: string[]): Quantity {
  return values.reduce<Quantity>((acc, v) => addQuantities(acc, parseQuantity(v)), parseQuantity(0));
}
