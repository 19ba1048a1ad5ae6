/**
 * CrashLoopBackOff bookkeeping (upstream flowcontrol.Backoff as the kubelet configures it): 10 s doubling to
 * 5 min per container; an entry not bumped for twice the maximum (10 min) starts again at 10 s.
 */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export interface BackoffView {
  /** The delay in force when `now - eventTime` is still inside it; undefined when a start may proceed. */
  inBackoffSince(key: string, eventTime: number, now: number): number | undefined;
}

export class CrashBackoff implements BackoffView {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  inBackoffSince(key: string, eventTime: number, now: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.lastUpdate > 2 * this.maxMs) return undefined;
    return now - eventTime < e.backoffMs ? e.backoffMs : undefined;
  }

  /** In back-off since the last recorded failure (upstream IsInBackOffSinceUpdate): the delay, or undefined. */
  inBackoffSinceUpdate(key: string, now: number): number | undefined {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) return undefined;
    return now - e.lastUpdate < e.backoffMs ? e.backoffMs : undefined;
  }

  /** Records a restart after a failure that ended at eventTime. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  forgetSuffix(suffix: string): void {
    for (const k of this.entries.keys()) if (k.endsWith(suffix)) this.entries.delete(k);
  }

  /** Drops entries of a pod (by key prefix) once the pod is gone. */
  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration text for whole seconds: `10s`, `1m20s`, `5m0s`. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}
