import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { scaledValueFromIntOrPercent } from '../../api/intstr.js';
import { isPodReady } from '../../api/pods.js';
import { rfc3339 } from '../../util/clock.js';

/** How long an eviction's entry in status.disruptedPods waits for the pod's deletion (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface ExpectedCounts {
  expectedCount: number;
  desiredHealthy: number;
}

/**
 * Upstream getExpectedPodCount: an integer minAvailable counts the selected pods; maxUnavailable and a
 * percentage minAvailable need the controllers' scale (`expectedScale`, the sum of their replicas).
 */
export function expectedPodCount(
  pdb: PodDisruptionBudget,
  podCount: number,
  expectedScale: () => number,
): ExpectedCounts {
  const spec = pdb.spec ?? {};
  const maxUnavailable = spec.maxUnavailable;
  const minAvailable = spec.minAvailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expectedCount = expectedScale();
    const unavailable = scaledValueFromIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - unavailable) };
  }
  if (minAvailable !== undefined && minAvailable !== null) {
    if (typeof minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: minAvailable };
    const expectedCount = expectedScale();
    return { expectedCount, desiredHealthy: scaledValueFromIntOrPercent(minAvailable, expectedCount, true) };
  }
  return { expectedCount: 0, desiredHealthy: 0 };
}

/**
 * Entries of status.disruptedPods still waiting for their pod's deletion. An entry goes when the pod is gone or
 * being deleted, or after DELETION_TIMEOUT_MS (the eviction evidently did not delete it). `recheckMs` is when
 * the next entry expires.
 */
export function liveDisruptedPods(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  nowMs: number,
): { disrupted: Record<string, string>; recheckMs: number | undefined } {
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  const disrupted: Record<string, string> = {};
  let recheckMs: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expires > nowMs)) continue;
    disrupted[name] = at;
    if (recheckMs === undefined || expires < recheckMs) recheckMs = expires;
  }
  return { disrupted, recheckMs };
}

/** Ready, not being deleted, and not already promised to an eviction. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>): number {
  return pods.filter(
    (p) => !p.metadata?.deletionTimestamp && !((p.metadata?.name ?? '') in disrupted) && isPodReady(p),
  ).length;
}

/** The DisruptionAllowed condition, keeping lastTransitionTime while the status stays the same. */
export function disruptionAllowedCondition(
  previous: readonly Condition[] | undefined,
  allowed: boolean,
  observedGeneration: number,
  now: string,
  failure?: string,
): Condition {
  const status = failure === undefined && allowed ? 'True' : 'False';
  const old = previous?.find((c) => c.type === 'DisruptionAllowed');
  const reason = failure !== undefined ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods';
  return {
    type: 'DisruptionAllowed',
    status,
    reason,
    message: failure ?? '',
    observedGeneration,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
  };
}

export function pdbStatus(
  pdb: PodDisruptionBudget,
  counts: ExpectedCounts,
  currentHealthy: number,
  disrupted: Record<string, string>,
  nowMs: number,
): PodDisruptionBudgetStatus {
  const generation = pdb.metadata?.generation ?? 0;
  const allowed = counts.expectedCount <= 0 ? 0 : Math.max(0, currentHealthy - counts.desiredHealthy);
  return {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedCount,
    conditions: [disruptionAllowedCondition(pdb.status?.conditions, allowed > 0, generation, rfc3339(nowMs))],
  };
}

/** Upstream failSafe: when the numbers cannot be worked out, allow no disruptions. */
export function failSafeStatus(
  pdb: PodDisruptionBudget,
  message: string,
  nowMs: number,
): PodDisruptionBudgetStatus {
  const generation = pdb.metadata?.generation ?? 0;
  return {
    ...pdb.status,
    observedGeneration: generation,
    disruptionsAllowed: 0,
    currentHealthy: pdb.status?.currentHealthy ?? 0,
    desiredHealthy: pdb.status?.desiredHealthy ?? 0,
    expectedPods: pdb.status?.expectedPods ?? 0,
    conditions: [
      disruptionAllowedCondition(pdb.status?.conditions, false, generation, rfc3339(nowMs), message),
    ],
  };
}
