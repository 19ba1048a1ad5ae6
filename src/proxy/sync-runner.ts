/**
 * Runs the proxy's sync at most once per minimum interval and at least once per maximum interval (upstream's
 * BoundedFrequencyRunner with min-sync-period 1 s and sync-period 30 s). Requests that arrive together are
 * folded into one run; a request during a run starts another one after it; a failed run is retried with a
 * delay that doubles from the minimum interval up to the maximum.
 */
import type { Clock } from '../util/clock.js';

/** setTimeout that returns its own cancel function; injectable so tests drive time by hand. */
export type Schedule = (fn: () => void, delayMs: number) => () => void;

export const realSchedule: Schedule = (fn, delayMs) => {
  const timer = setTimeout(fn, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface SyncRunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  clock: Clock;
  schedule?: Schedule;
  onError?: (err: unknown) => void;
}

export class SyncRunner {
  private readonly schedule: Schedule;
  private lastStart = -Infinity;
  private deadline: number | undefined;
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private failures = 0;
  private stopped = true;

  constructor(
    private readonly sync: () => Promise<void>,
    private readonly opts: SyncRunnerOptions,
  ) {
    this.schedule = opts.schedule ?? realSchedule;
  }

  /** Starts with a sync as soon as possible. */
  start(): void {
    this.stopped = false;
    this.request();
  }

  /** Asks for a sync as soon as the minimum interval allows. */
  request(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running) return;
    this.arm(Math.max(this.opts.clock.now(), this.lastStart + this.opts.minIntervalMs));
  }

  /** Cancels what is scheduled and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    this.deadline = undefined;
    await this.running;
  }

  private arm(at: number): void {
    if (this.deadline !== undefined && this.deadline <= at) return;
    this.cancel?.();
    this.deadline = at;
    this.cancel = this.schedule(() => this.fire(), Math.max(0, at - this.opts.clock.now()));
  }

  private fire(): void {
    this.cancel = undefined;
    this.deadline = undefined;
    if (this.stopped) return;
    this.pending = false;
    this.lastStart = this.opts.clock.now();
    this.running = this.sync().then(
      () => this.finished(true),
      (err: unknown) => {
        this.opts.onError?.(err);
        this.finished(false);
      },
    );
  }

  private finished(ok: boolean): void {
    this.running = undefined;
    if (this.stopped) return;
    const now = this.opts.clock.now();
    const { minIntervalMs, maxIntervalMs } = this.opts;
    if (!ok) {
      this.failures++;
      const delay = Math.min(maxIntervalMs, minIntervalMs * 2 ** (this.failures - 1));
      this.arm(now + Math.max(delay, 1));
      return;
    }
    this.failures = 0;
    this.arm(this.pending ? Math.max(now, this.lastStart + minIntervalMs) : this.lastStart + maxIntervalMs);
  }
}
