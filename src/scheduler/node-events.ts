import type { Node } from 'kubernetes-types/core/v1.js';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether a node update can change scheduling decisions (upstream nodeSchedulingPropertiesChange): heartbeats
 * that only touch timestamps must not wake every parked pod.
 */
export function nodeSchedulingPropertiesChanged(old: Node, cur: Node): boolean {
  if (old.spec?.unschedulable !== cur.spec?.unschedulable) return true;
  if (!same(old.metadata?.labels, cur.metadata?.labels)) return true;
  if (!same(old.spec?.taints, cur.spec?.taints)) return true;
  if (!same(old.status?.allocatable, cur.status?.allocatable)) return true;
  const conds = (n: Node): string =>
    (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
  if (conds(old) !== conds(cur)) return true;
  return !same(
    (old.status?.images ?? []).map((i) => i.names),
    (cur.status?.images ?? []).map((i) => i.names),
  );
}
