/** Delay before a Job replaces failed pods: 10 s doubling per failure since the last success, capped at 6 min. */
export const POD_FAILURE_BACKOFF_BASE_MS = 10_000;
export const POD_FAILURE_BACKOFF_MAX_MS = 6 * 60_000;

export interface BackoffRecord {
  /** Failed pods counted since the last succeeded one. */
  failuresAfterLastSuccess: number;
  /** When the last of those failures was counted (ms). */
  lastFailureTime: number;
}

export function backoffDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 30);
  return Math.min(POD_FAILURE_BACKOFF_MAX_MS, POD_FAILURE_BACKOFF_BASE_MS * 2 ** exp);
}

/** Milliseconds still to wait before creating replacement pods (0: create now). */
export function remainingBackoffMs(record: BackoffRecord | undefined, nowMs: number): number {
  if (!record || record.failuresAfterLastSuccess === 0) return 0;
  const until = record.lastFailureTime + backoffDelayMs(record.failuresAfterLastSuccess);
  return Math.max(0, until - nowMs);
}

/** The record after counting `succeeded` and `failed` newly finished pods at `nowMs`. */
export function nextBackoffRecord(
  prev: BackoffRecord | undefined,
  succeeded: number,
  failed: number,
  nowMs: number,
): BackoffRecord | undefined {
  if (succeeded === 0 && failed === 0) return prev;
  // Finish order within one sync is unknown; a success among them resets the streak before the failures.
  const base = succeeded > 0 ? 0 : (prev?.failuresAfterLastSuccess ?? 0);
  if (failed === 0) return { failuresAfterLastSuccess: 0, lastFailureTime: prev?.lastFailureTime ?? 0 };
  return { failuresAfterLastSuccess: base + failed, lastFailureTime: nowMs };
}
