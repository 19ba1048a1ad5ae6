import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady, podCondition } from '../../api/pods.js';

const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDER[pod.status?.phase ?? ''] ?? 0;
}

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  return Number(raw);
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function time(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** floor(log2(age in ns)), -1 for a time not in the past (upstream logarithmicRankDiff). */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/**
 * Negative when `a` is "newer" and should go first: a zero time first, then newer before older, compared in
 * logarithmic age buckets so pods created close together are treated as equals (ties broken by UID).
 */
function compareTimes(
  a: number | undefined,
  b: number | undefined,
  uidA: string,
  uidB: string,
  now: number,
): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const diff = logRank(a, now) - logRank(b, now);
  if (diff !== 0) return diff;
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}

export interface RankedPod {
  pod: Pod;
  /** How many related pods share this pod's node (doubled-up pods go first). */
  rank: number;
}

/**
 * Upstream ActivePodsWithRanks.Less: negative when `a` should be deleted before `b`. Unassigned before
 * assigned; Pending < Unknown < Running; not ready before ready; lower pod-deletion-cost first; more pods of
 * the same owner family on the node first; ready for less time first; more container restarts first; newer
 * before older.
 */
export function comparePodsForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const assignedA = !!pa.spec?.nodeName;
  const assignedB = !!pb.spec?.nodeName;
  if (assignedA !== assignedB) return assignedA ? 1 : -1;
  const phase = phaseOrdinal(pa) - phaseOrdinal(pb);
  if (phase !== 0) return phase;
  const readyA = isPodReady(pa);
  const readyB = isPodReady(pb);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const cost = deletionCost(pa) - deletionCost(pb);
  if (cost !== 0) return cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  const uidA = pa.metadata?.uid ?? '';
  const uidB = pb.metadata?.uid ?? '';
  if (readyA && readyB) {
    const ra = time(podCondition(pa, 'Ready')?.lastTransitionTime);
    const rb = time(podCondition(pb, 'Ready')?.lastTransitionTime);
    if (ra !== rb) return compareTimes(ra, rb, uidA, uidB, now);
  }
  const restarts = maxRestarts(pb) - maxRestarts(pa);
  if (restarts !== 0) return restarts;
  return compareTimes(
    time(pa.metadata?.creationTimestamp),
    time(pb.metadata?.creationTimestamp),
    uidA,
    uidB,
    now,
  );
}

/**
 * The `count` pods a controller should delete first (upstream getPodsToDelete): each pod is ranked by how many
 * `related` pods (those of its owner and sibling ReplicaSets) run on its node, then sorted by deletion order.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (!node || !isPodActive(p)) continue;
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => comparePodsForDeletion(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
