/**
 * A task run every `periodMs` on an unref'd timer, never twice at once: a run asked for while one is in
 * progress joins it. Subclasses implement `runTask`; its errors are theirs to handle.
 */
export abstract class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly periodMs: number) {}

  protected abstract runTask(): Promise<void>;

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.periodMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  runOnce(): Promise<void> {
    this.running ??= this.runTask().finally(() => (this.running = undefined));
    return this.running;
  }
}
