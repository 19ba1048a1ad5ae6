import fs from 'node:fs';

/**
 * Makes committed transactions durable without blocking the event loop: SQLite runs with synchronous=NORMAL
 * (a commit appends to the WAL but does not fsync it) and this fsyncs the WAL file on libuv's thread pool.
 * Callers acknowledge a write only once a sync that started after its commit has finished. Syncs never
 * overlap; commits made while one runs are covered by the next.
 */
export class WalSync {
  private fd: number | undefined;
  private running = false;
  /** Callbacks of commits waiting for the next sync to start. */
  private waiting: ((err?: Error) => void)[] = [];
  /** Called when the running sync ends, after its commits' callbacks and before the next sync starts. */
  private syncEnded: (() => void)[] = [];

  constructor(private readonly walPath: string) {}

  /** Calls done once everything committed before this call is on disk. */
  afterCommit(done: (err?: Error) => void): void {
    this.waiting.push(done);
    if (!this.running) this.start();
  }

  /** A sync is running: a commit made now waits for it to end and for the next one. */
  get syncing(): boolean {
    return this.running;
  }

  /** Calls fn when the running sync ends (at once when none runs), before the next sync starts. */
  whenSyncEnds(fn: () => void): void {
    if (this.running) this.syncEnded.push(fn);
    else fn();
  }

  /** Resolves when no sync is running or waiting. */
  async drain(): Promise<void> {
    while (this.running || this.waiting.length > 0)
      await new Promise<void>((r) => this.afterCommit(() => r()));
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    this.syncOnce((err) => {
      this.running = false;
      for (const done of batch) done(err ?? undefined);
      const ended = this.syncEnded;
      this.syncEnded = [];
      for (const fn of ended) fn();
      if (!this.running && this.waiting.length > 0) this.start();
    });
  }

  private syncOnce(cb: (err: Error | null) => void): void {
    // SQLite keeps (truncates and reuses, never replaces) the WAL file while its connection is open.
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.walPath, 'r');
      } catch (err) {
        return cb(err as Error);
      }
    }
    fs.fdatasync(this.fd, cb);
  }
}
