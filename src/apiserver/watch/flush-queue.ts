/**
 * Runs queued callbacks together in one immediate, after the events of this event-loop turn are in: a store
 * commit reaches every watch stream at once, and one immediate for all of them costs less than one each.
 */
export class FlushQueue {
  private queued: (() => void)[] = [];

  /** `onError` gets what a callback threw, after the others ran: one broken stream must not starve the rest. */
  constructor(private readonly onError: (err: unknown) => void) {}

  add(flush: () => void): void {
    if (this.queued.push(flush) === 1) setImmediate(() => this.run());
  }

  private run(): void {
    const batch = this.queued;
    this.queued = [];
    const failures: unknown[] = [];
    for (const flush of batch) {
      try {
        flush();
      } catch (err) {
        failures.push(err);
      }
    }
    for (const err of failures) this.onError(err);
  }
}
