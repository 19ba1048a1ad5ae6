/** Backoff limit per index and success policies of Indexed Jobs (upstream KEP 3850 and KEP 3998). */
import type { Job, SuccessPolicy } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { completionIndexOf, parseIndexes } from '../../api/job-indexes.js';
import { backoffDelayMs } from './backoff.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
const MAX_INT32 = 2147483647;

export const hasBackoffLimitPerIndex = (job: Job): boolean =>
  job.spec?.completionMode === 'Indexed' && job.spec.backoffLimitPerIndex != null;

/** An annotation's count; 0 when missing or not a count (a user may have edited it). */
function countAnnotation(pod: Pod, key: string): number {
  const v = pod.metadata?.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  const n = Number(v);
  return n > MAX_INT32 ? 0 : n;
}

/** Failures of the pod's index before this pod, as its annotation records them. */
export const indexFailureCount = (pod: Pod): number => countAnnotation(pod, INDEX_FAILURE_COUNT_ANNOTATION);

const absoluteFailureCount = (pod: Pod): number =>
  indexFailureCount(pod) + countAnnotation(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);

/** Whether a failure counts against the limits (a podFailurePolicy may ignore it). */
export function failureCounts(job: Job, pod: Pod): boolean {
  const policy = job.spec?.podFailurePolicy;
  return !policy || matchPodFailurePolicy(policy, pod).action !== 'Ignore';
}

/**
 * Upstream isIndexFailed: the failed pod used up its index's retries, or a FailIndex rule matched it.
 * `failed` is the controller's verdict on the pod (phase Failed, or deleted under TerminatingOrFailed).
 */
export function isIndexFailed(job: Job, pod: Pod, failed: boolean): boolean {
  if (!failed) return false;
  const policy = job.spec?.podFailurePolicy;
  if (policy && matchPodFailurePolicy(policy, pod).action === 'FailIndex') return true;
  return failureCounts(job, pod) && indexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

/** When the pod finished: its containers' last finish, else when it became not ready, else its deletion. */
export function finishedTimeMs(pod: Pod): number {
  let latest: number | undefined;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const at = s.state?.terminated?.finishedAt;
    if (at) latest = Math.max(latest ?? 0, Date.parse(at));
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  if (ready?.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata?.deletionTimestamp) {
    return Date.parse(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
}

/**
 * Per pending index, the failed pod whose finalizer stays until its replacement exists: the replacement's
 * failure-count annotation is taken from it (upstream getPodsWithDelayedDeletionPerIndex). `candidates` are the
 * failed pods still carrying the tracking finalizer; indexes already succeeded, failed or running are skipped.
 */
export function podsAwaitingReplacement(
  candidates: Pod[],
  completions: number,
  settled: (index: number) => boolean,
): Map<number, Pod> {
  const out = new Map<number, Pod>();
  for (const pod of candidates) {
    const ix = completionIndexOf(pod);
    if (ix === undefined || ix >= completions || settled(ix)) continue;
    const last = out.get(ix);
    if (
      !last ||
      (absoluteFailureCount(last) <= absoluteFailureCount(pod) && finishedTimeMs(pod) >= finishedTimeMs(last))
    ) {
      out.set(ix, pod);
    }
  }
  return out;
}

/** The failure-count annotations of a pod that replaces `replaced` (none: the index's first pod). */
export function replacementAnnotations(job: Job, replaced: Pod | undefined): Record<string, string> {
  let failures = 0;
  let ignored = 0;
  if (replaced) {
    failures = indexFailureCount(replaced);
    ignored = countAnnotation(replaced, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);
    if (failureCounts(job, replaced)) failures++;
    else ignored++;
  }
  return {
    [INDEX_FAILURE_COUNT_ANNOTATION]: String(failures),
    ...(ignored > 0 ? { [INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]: String(ignored) } : {}),
  };
}

/** Milliseconds before the index of `lastFailed` may get a new pod (its failures so far set the delay). */
export function remainingIndexBackoffMs(lastFailed: Pod | undefined, nowMs: number): number {
  if (!lastFailed) return 0;
  const until = finishedTimeMs(lastFailed) + backoffDelayMs(absoluteFailureCount(lastFailed) + 1);
  return Math.max(0, until - nowMs);
}

/** Upstream matchSuccessPolicy: the message of the first rule the succeeded indexes satisfy. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: Set<number>,
): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes != null) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.size === 0) continue;
      let contained = 0;
      for (const ix of required) if (succeeded.has(ix)) contained++;
      if (contained === required.size || (rule.succeededCount != null && contained >= rule.succeededCount)) {
        return `Matched rules at index ${index}`;
      }
    } else if (rule.succeededCount != null && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
