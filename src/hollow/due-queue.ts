/**
 * Many deadlines, one timer: work is keyed (re-scheduling a key replaces its deadline) and the single timer
 * always points at the earliest deadline. Keeps per-node and per-pod timers out of a process that simulates
 * thousands of nodes.
 */
export class DueQueue {
  private readonly due = new Map<string, { at: number; run: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly now: () => number) {}

  schedule(key: string, at: number, run: () => void): void {
    if (this.stopped) return;
    this.due.set(key, { at, run });
    if (at < this.timerAt) this.arm(at);
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  has(key: string): boolean {
    return this.due.has(key);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.due.clear();
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timerAt = Infinity;
    this.timer = undefined;
    const now = this.now();
    const ready: (() => void)[] = [];
    let next = Infinity;
    for (const [key, d] of this.due) {
      if (d.at <= now) {
        this.due.delete(key);
        ready.push(d.run);
      } else if (d.at < next) next = d.at;
    }
    if (next !== Infinity && !this.stopped) this.arm(next);
    for (const run of ready) run();
  }
}
