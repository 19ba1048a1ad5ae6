import type { Node, NodeCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/taints.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The taint keys this controller owns; taints with other keys are left as they are. */
const MANAGED_NO_SCHEDULE = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
]);
const MANAGED_NO_EXECUTE = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** TaintNodesByCondition: the NoSchedule taints a node's conditions and spec.unschedulable call for. */
export function desiredNoScheduleTaints(node: Node): string[] {
  const keys: string[] = [];
  const ready = nodeCondition(node, 'Ready')?.status;
  if (ready === 'False') keys.push(TAINT_NOT_READY);
  else if (ready === 'Unknown') keys.push(TAINT_UNREACHABLE);
  const pressure: [string, string][] = [
    ['MemoryPressure', TAINT_MEMORY_PRESSURE],
    ['DiskPressure', TAINT_DISK_PRESSURE],
    ['PIDPressure', TAINT_PID_PRESSURE],
    ['NetworkUnavailable', TAINT_NETWORK_UNAVAILABLE],
  ];
  for (const [type, key] of pressure) if (nodeCondition(node, type)?.status === 'True') keys.push(key);
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return keys;
}

/** The NoExecute taint for the node's readiness: not-ready when Ready=False, unreachable when Unknown. */
export function desiredNoExecuteTaints(node: Node): string[] {
  const ready = nodeCondition(node, 'Ready')?.status;
  if (ready === 'False') return [TAINT_NOT_READY];
  if (ready === 'Unknown') return [TAINT_UNREACHABLE];
  return [];
}

/**
 * The node's taints with the controller-managed ones replaced by `noSchedule` and `noExecute`. Taints that stay
 * keep their timeAdded; new NoExecute taints are stamped with `now` (upstream sets TimeAdded on them only).
 */
export function reconcileTaints(
  current: readonly Taint[],
  noSchedule: readonly string[],
  noExecute: readonly string[],
  now: string,
): Taint[] {
  const managed = (t: Taint): boolean =>
    (t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE.has(t.key)) ||
    (t.effect === 'NoExecute' && MANAGED_NO_EXECUTE.has(t.key));
  const wanted = (t: Taint): boolean =>
    (t.effect === 'NoSchedule' && noSchedule.includes(t.key)) ||
    (t.effect === 'NoExecute' && noExecute.includes(t.key));
  const out = current.filter((t) => !managed(t) || wanted(t));
  const has = (key: string, effect: string): boolean => out.some((t) => t.key === key && t.effect === effect);
  for (const key of noSchedule) if (!has(key, 'NoSchedule')) out.push({ key, effect: 'NoSchedule' });
  for (const key of noExecute)
    if (!has(key, 'NoExecute')) out.push({ key, effect: 'NoExecute', timeAdded: now });
  return out;
}

export function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  const id = (t: Taint): string => `${t.key}=${t.value ?? ''}:${t.effect}`;
  const left = new Set(a.map(id));
  return b.every((t) => left.has(id(t)));
}

/**
 * Upstream GetMatchingTolerations: whether every taint is tolerated, and the tolerations that did it (the first
 * matching one per taint).
 */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/**
 * The shortest tolerationSeconds among `used`, in ms; undefined means tolerated forever (a toleration without
 * tolerationSeconds). Negative values count as zero, as upstream.
 */
export function minTolerationMs(used: readonly Toleration[]): number | undefined {
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = Math.max(0, t.tolerationSeconds) * 1000;
    if (min === undefined || ms < min) min = ms;
  }
  return min;
}
