import fs from 'node:fs';

/**
 * Makes committed transactions durable without blocking the event loop: SQLite runs with synchronous=NORMAL
 * (a commit appends to the WAL but does not fsync it) and this fsyncs the WAL file on libuv's thread pool.
 * Callers acknowledge a write only once a sync that started after its commit has finished. Syncs never
 * overlap; commits made while one runs are covered by the next.
 */
export class WalSync {
  private fd: number | undefined;
  private ino: number | undefined;
  private running = false;
  /** Callbacks of commits waiting for the next sync to start. */
  private waiting: ((err?: Error) => void)[] = [];

  constructor(private readonly walPath: string) {}

  /** Calls done once everything committed before this call is on disk. */
  afterCommit(done: (err?: Error) => void): void {
    this.waiting.push(done);
    if (!this.running) this.start();
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
      if (this.waiting.length > 0) this.start();
    });
  }

  private syncOnce(cb: (err: Error | null) => void): void {
    // SQLite keeps one WAL file while a connection is open, but re-open if it was ever replaced.
    fs.stat(this.walPath, (statErr, st) => {
      if (statErr) return cb(statErr);
      if (this.fd === undefined || st.ino !== this.ino) {
        if (this.fd !== undefined) fs.closeSync(this.fd);
        try {
          this.fd = fs.openSync(this.walPath, 'r');
        } catch (err) {
          this.fd = undefined;
          return cb(err as Error);
        }
        this.ino = st.ino;
      }
      fs.fdatasync(this.fd, cb);
    });
  }
}
