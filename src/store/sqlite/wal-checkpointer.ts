import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../util/logger.js';
import { startModuleWorker } from '../../util/module-worker.js';
import type { CheckpointResult } from './checkpoint-worker.js';

export interface WalCheckpointerOptions {
  /** Bytes written to the WAL between checkpoints (SQLite's own default is 1,000 pages, about 4 MiB). */
  thresholdBytes?: number;
  /** The thread exits after this long without work; the next checkpoint starts it again. */
  idleExitMs?: number;
  /**
   * Holds the writer's commits until the returned function is called (see `done`). Without it, a WAL that
   * always takes commits while it is checkpointed is never reused and grows without bound.
   */
  pauseCommits?: () => () => void;
}

/** Longest the writer's commits wait for a final checkpoint round, whatever the thread does. */
const MAX_PAUSE_MS = 200;

/**
 * Checkpoints the WAL on a thread of its own. SQLite's automatic checkpoint runs inside the commit that crosses
 * 1,000 pages, on the writer's thread: it copies the WAL into the database file and syncs it, which stalled
 * the event loop for up to 15 ms and more than doubled the cost of a write. The store turns that off and
 * reports what it commits here; past the threshold, a worker with its own connection runs a PASSIVE checkpoint
 * (it never blocks the writer, and the writer reuses the WAL from the start once everything is copied). The
 * thread exists only while there are writes: an idle server does not pay for it. If it cannot run, the
 * checkpoint runs on the caller's thread as SQLite would have.
 *
 * SQLite reuses the WAL only when a write transaction starts while every frame is copied. Under a steady
 * stream of writes (5,000 nodes renew 500 Leases a second) some commit always landed during the checkpoint,
 * so the WAL was never reused: it grew by about 10 MiB a second, and commits slowed as it grew. So when
 * commits landed during a round, one more round copies them, and if commits landed during that one too, a
 * last round runs with the writer's commits paused (about ten milliseconds here: only what the previous
 * round let in is left to copy, then the database file is synced). The next commit starts the WAL over.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private written = 0;
  private running = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private broken = false;
  /** Exits of threads told to stop, which close() waits for. */
  private readonly exiting = new Set<Promise<void>>();
  private closed = false;
  private readonly thresholdBytes: number;
  private readonly idleExitMs: number;
  private readonly pauseCommits: (() => () => void) | undefined;
  /** Rounds run since the threshold was crossed, and the resume of paused commits while a last one runs. */
  private round = 0;
  private resumeCommits: (() => void) | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    /** The fallback: a checkpoint on the writer's own connection. */
    private readonly checkpointHere: () => void,
    private readonly logger: Logger,
    opts: WalCheckpointerOptions = {},
  ) {
    this.thresholdBytes = opts.thresholdBytes ?? 4 * 1024 * 1024;
    this.idleExitMs = opts.idleExitMs ?? 30_000;
    this.pauseCommits = opts.pauseCommits;
  }

  /** Whether the thread is up (it exits when idle). */
  get threadRunning(): boolean {
    return this.worker !== undefined;
  }

  /** Records bytes committed to the WAL; starts a checkpoint once enough have piled up. */
  committed(bytes: number): void {
    this.written += bytes;
    if (this.written >= this.thresholdBytes && !this.running && !this.closed) {
      this.round = 0;
      this.run();
    }
  }

  /** Stops the thread (its connection closes first, so the writer's close can remove the WAL). */
  async close(): Promise<void> {
    this.closed = true;
    this.resume();
    clearTimeout(this.idleTimer);
    await this.stopWorker();
    await Promise.all(this.exiting);
  }

  private run(): void {
    this.written = 0;
    if (this.broken) {
      this.checkpointHere();
      this.resume();
      return;
    }
    clearTimeout(this.idleTimer);
    this.running = true;
    const worker = (this.worker ??= this.startWorker());
    worker.postMessage('checkpoint');
  }

  private startWorker(): Worker {
    const worker = startModuleWorker('./checkpoint-worker.js', import.meta.url, {
      workerData: { file: this.file },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    // Never what keeps the process alive; close() stops it.
    worker.unref();
    worker.on('message', (r: CheckpointResult) => this.done(r));
    worker.on('error', (err) => {
      this.logger.warn('WAL checkpoint thread failed; checkpointing on the writer thread', {
        error: err.message,
      });
      this.broken = true;
    });
    worker.on('exit', () => {
      // A thread stopped on purpose (idle, close) was not running a checkpoint; a newer one may be.
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.running) return;
      // A checkpoint was asked for and never answered: do it here.
      this.running = false;
      if (!this.closed) this.checkpointHere();
      this.resume();
    });
    return worker;
  }

  private done(r: CheckpointResult): void {
    this.running = false;
    const paused = this.resumeCommits !== undefined;
    this.resume();
    if (r.checkpointed < r.log) this.logger.debug('WAL checkpoint incomplete', { ...r });
    if (this.closed) return;
    if (this.written >= this.thresholdBytes) {
      this.round = 0;
      this.run();
      return;
    }
    // Commits landed while the round ran: the WAL is not reused until they are copied too.
    if (this.written > 0 && !paused && this.round < 2) {
      if (++this.round === 2 && this.pauseCommits) {
        this.resumeCommits = this.pauseCommits();
        this.pauseTimer = setTimeout(() => this.resume(), MAX_PAUSE_MS);
      }
      this.run();
      return;
    }
    this.idleTimer = setTimeout(() => void this.stopWorker(), this.idleExitMs);
    this.idleTimer.unref();
  }

  private resume(): void {
    clearTimeout(this.pauseTimer);
    const resume = this.resumeCommits;
    this.resumeCommits = undefined;
    resume?.();
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.exiting.add(exited);
    // Unreferenced, the thread would not keep the process alive long enough to be waited for.
    worker.ref();
    worker.postMessage('stop');
    await exited;
    this.exiting.delete(exited);
  }
}
