import type { Logger } from '../util/logger.js';

/**
 * Names waiting for an in-server reconciler, worked through one at a time. A name whose work returns false
 * (not finished yet) or fails stays and is retried after `retryMs`; adding a name while a round runs is
 * picked up by the next round.
 */
export class PendingWork {
  private readonly pending = new Set<string>();
  private running = false;
  /** Something new arrived during a round: the next one starts at once instead of after retryMs. */
  private addedWhileRunning = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly work: (name: string) => Promise<boolean>,
    private readonly opts: { retryMs: number; logger: Logger; what: string },
  ) {}

  add(name: string): void {
    this.pending.add(name);
    if (this.running) this.addedWhileRunning = true;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.addedWhileRunning = false;
    void this.round().finally(() => {
      this.running = false;
      if (this.pending.size === 0 || this.stopped) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.kick(), this.addedWhileRunning ? 0 : this.opts.retryMs);
      this.timer.unref();
    });
  }

  private async round(): Promise<void> {
    for (const name of [...this.pending]) {
      if (this.stopped) return;
      this.pending.delete(name);
      let done = false;
      try {
        done = await this.work(name);
      } catch (err) {
        this.opts.logger.warn(`${this.opts.what} failed; will retry`, { name, error: String(err) });
      }
      if (!done) this.pending.add(name);
    }
  }
}
