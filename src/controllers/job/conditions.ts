import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';

export type FinishType = 'Complete' | 'Failed';

/** The Complete or Failed condition with status True, if the Job has finished. */
export function finishedCondition(status: JobStatus | undefined): JobCondition | undefined {
  return status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export function isJobFinished(job: Job): boolean {
  return finishedCondition(job.status) !== undefined;
}

/**
 * Upstream's ensureJobConditionStatus: sets the condition's status, reason and message; a False condition is
 * only written over an existing one. Returns whether anything changed.
 */
export function ensureCondition(
  status: JobStatus,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): boolean {
  const existing = status.conditions?.find((c) => c.type === type);
  if (!existing) {
    if (value === 'False') return false;
    (status.conditions ??= []).push({
      type,
      status: value,
      reason,
      message,
      lastProbeTime: now,
      lastTransitionTime: now,
    });
    return true;
  }
  if (existing.status === value && existing.reason === reason && existing.message === message) return false;
  if (existing.status !== value) existing.lastTransitionTime = now;
  existing.status = value;
  existing.reason = reason;
  existing.message = message;
  existing.lastProbeTime = now;
  return true;
}
