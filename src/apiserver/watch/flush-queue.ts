/**
 * Asks whether more events are about to arrive (a store commit is on its way to watchers). If so, it calls
 * `resume` right after they arrived and returns true; otherwise it returns false and never calls `resume`.
 */
/** Longest a run waits for a commit on its way (a sync of the store's log normally takes well under 1 ms). */
const MAX_HOLD_MS = 20;

export type FlushHold = (resume: () => void) => boolean;

/**
 * Runs queued callbacks together in one immediate, after the events of this event-loop turn are in: a store
 * commit reaches every watch stream at once, and one immediate for all of them costs less than one each.
 *
 * With a `hold`, a run waits once for the commit that is already on its way: with many watchers each run is one
 * socket write per watcher, and two commits a fraction of a millisecond apart (one write alone, then the writes
 * that queued behind it) would otherwise cost two rounds of writes instead of one.
 */
export class FlushQueue {
  private queued: (() => void)[] = [];
  private held = false;

  /** `onError` gets what a callback threw, after the others ran: one broken stream must not starve the rest. */
  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly hold?: FlushHold,
  ) {}

  add(flush: () => void): void {
    if (this.queued.push(flush) === 1 && !this.held) setImmediate(() => this.run());
  }

  private run(): void {
    if (!this.held && this.hold) {
      let resumed = false;
      let deadline: NodeJS.Timeout | undefined;
      const resume = (): void => {
        if (resumed) return;
        resumed = true;
        clearTimeout(deadline);
        setImmediate(() => this.run());
      };
      if (this.hold(resume)) {
        this.held = true;
        // However the store fares, a held run goes out after MAX_HOLD_MS.
        if (!resumed) deadline = setTimeout(resume, MAX_HOLD_MS);
        return;
      }
    }
    this.held = false;
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
