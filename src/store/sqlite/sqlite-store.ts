import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger, type Logger } from '../../util/logger.js';
import { prefixEnd, rangeStart } from '../keys.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  StoreClosedError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type WatchCallbacks,
  type Watcher,
} from '../types.js';
import { WatchHub } from '../watch-hub.js';
import { rowToEvent, rowToKv } from './rows.js';
import { initSchema, prepareStatements, type Row, type Statements } from './schema.js';
import { LatestValues } from './latest-values.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

/** Upper bound for the empty prefix: above every key we store. */
const MAX_KEY = '\u{10FFFF}';
/** Rows per compaction transaction; the event loop gets a turn between batches. */
const COMPACT_BATCH = 1000;
/** Bytes the WAL file is cut back to when SQLite starts it over (it keeps its largest size otherwise). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

type WriteOp =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface Pending {
  op: WriteOp;
  resolve: (kv: KeyValue) => void;
  reject: (err: Error) => void;
}

type Outcome = { kv: KeyValue; event: StoreEvent } | { err: Error };

/** What a write is checked against: the key's newest row. */
type NewestRow = Pick<Row, 'id' | 'deleted' | 'create_revision' | 'value'>;

const EMPTY = Buffer.alloc(0);

export interface SqliteStoreOptions {
  logger?: Logger;
  /** Bytes of recently used values kept in memory for `get` (default 32 MiB; 0 turns it off). */
  latestValuesBytes?: number;
}

/**
 * SQLite backend (one writer: this process). Writes issued in one event-loop turn, or while the WAL sync of an
 * earlier transaction runs, are applied in one transaction (group commit), each checked on its own. A committed
 * transaction becomes visible (to reads, watchers and the writers' promises) only once its WAL frames are synced
 * to disk; the sync runs on libuv's thread pool.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts: Statements;
  private readonly hub: WatchHub;
  private readonly logger: Logger;
  /** Latest committed revision: what compare-and-swap checks see. */
  private rev: number;
  /** Latest durable revision: what readers and watchers see. */
  private visibleRev: number;
  /** Undefined for an in-memory database, where commits are visible at once. */
  private readonly walSync: WalSync | undefined;
  private readonly checkpointer: WalCheckpointer | undefined;
  /** Bytes the current transaction adds to the WAL (roughly: the values it writes). */
  private txBytes = 0;
  /** Latest visible values of recently used keys, so `get` can skip the query. */
  private readonly latest: LatestValues;
  /**
   * The newest row of keys written by committed transactions that are not visible yet, and of keys written by
   * the transaction under way: with `latest`, what spares most writes the query for the row they supersede.
   */
  private readonly committedRows = new Map<string, NewestRow>();
  private readonly txRows = new Map<string, NewestRow>();
  private compactedRev: number;
  private compactedThrough: number;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** The queued writes commit when the running WAL sync ends (see flush). */
  private flushAfterSync = false;
  private commitsPaused = false;
  /** Called after the next publication to watchers (see whenPendingPublished). */
  private publishWaiters: (() => void)[] = [];
  private compacting: Promise<void> = Promise.resolve();
  private closed = false;
  /** The database handle and WAL file descriptor are closed. */
  private released = false;

  private constructor(file: string, opts: SqliteStoreOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.latest = new LatestValues(opts.latestValuesBytes ?? 32 * 1024 * 1024);
    const onDisk = file !== ':memory:' && file !== '';
    if (onDisk) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    const isNew = onDisk && !fs.existsSync(file);
    this.db = new Database(file);
    // The store holds Secrets: keep a new database private (SQLite gives -wal/-shm the same mode).
    if (isNew) fs.chmodSync(file, 0o600);
    initSchema(this.db);
    this.stmts = prepareStatements(this.db);
    const marker = this.stmts.marker.get();
    this.compactedRev = marker?.prev_revision ?? 0;
    this.compactedThrough = marker?.create_revision ?? 0;
    // sqlite_sequence remembers the highest id ever used, even when compaction removed that row.
    this.rev = Math.max(
      this.stmts.maxId.get()?.id ?? 0,
      this.stmts.sequence.get()?.seq ?? 0,
      this.compactedRev,
    );
    this.visibleRev = this.rev;
    this.walSync = onDisk ? new WalSync(`${path.resolve(file)}-wal`) : undefined;
    if (onDisk) {
      this.db.pragma('wal_autocheckpoint = 0');
      // After a burst the WAL file is cut back to this size when it is next reused.
      this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      this.checkpointer = new WalCheckpointer(
        path.resolve(file),
        () => this.db.pragma('wal_checkpoint(PASSIVE)'),
        this.logger,
        { pauseCommits: () => this.pauseCommits() },
      );
    }
    this.hub = new WatchHub(
      {
        readEvents: (prefix, after, limit) => this.readEvents(prefix, after, limit),
        head: () => this.visibleRev,
        compacted: () => this.compactedRev,
      },
      this.logger,
    );
  }

  /** Open (creating parent directories and the schema as needed) the database file. */
  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(file, opts);
  }

  get(key: string): Promise<KeyValue | undefined> {
    return settle(() => {
      this.checkOpen();
      const cached = this.latest.get(key);
      if (cached) return cached;
      const row = this.stmts.latestAt.get(key, this.visibleRev);
      if (!row || row.deleted !== 0) return undefined;
      const kv = rowToKv(row);
      this.latest.set(kv);
      return kv;
    });
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return settle(() => {
      this.checkOpen();
      const revision = opts.revision && opts.revision > 0 ? opts.revision : this.visibleRev;
      if (revision < this.compactedRev) throw new CompactedError(revision, this.compactedRev);
      if (revision > this.visibleRev) {
        throw new Error(`revision ${revision} is in the future (current ${this.visibleRev})`);
      }
      const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
      const rows = this.stmts.listAt.all(
        rangeStart(prefix, opts.startKey),
        prefixEnd(prefix) ?? MAX_KEY,
        revision,
        limit > 0 ? limit + 1 : -1,
      );
      const more = limit > 0 && rows.length > limit;
      if (more) rows.pop();
      const items = rows.map(([id, name, createRevision, value]) => ({
        key: name,
        value: value ?? EMPTY,
        createRevision,
        modRevision: id,
      }));
      return { items, revision, more };
    });
  }

  count(prefix: string): Promise<number> {
    return settle(() => {
      this.checkOpen();
      return this.stmts.count.get(prefix, prefixEnd(prefix) ?? MAX_KEY, this.visibleRev)?.n ?? 0;
    });
  }

  create(key: string, value: Buffer): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    this.checkOpen();
    return this.hub.add(prefix, fromRevision, callbacks);
  }

  compact(revision: number): Promise<void> {
    const run = this.compacting.then(() => this.compactTo(revision));
    this.compacting = run.catch(() => {});
    return run;
  }

  currentRevision(): Promise<number> {
    return settle(() => {
      this.checkOpen();
      return this.visibleRev;
    });
  }

  compactedRevision(): Promise<number> {
    return settle(() => {
      this.checkOpen();
      return this.compactedRev;
    });
  }

  whenPendingPublished(done: () => void): boolean {
    if (this.closed || (this.visibleRev >= this.rev && this.queue.length === 0)) return false;
    this.publishWaiters.push(done);
    return true;
  }

  /** Finishes queued writes and releases the database; also after a failed WAL sync closed the store to writes. */
  async close(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (!this.closed && this.queue.length > 0) this.flush();
    this.closed = true;
    await this.walSync?.drain();
    this.notifyPublished();
    this.hub.closeAll();
    await this.compacting;
    await this.checkpointer?.close();
    this.walSync?.close();
    this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Holds commits (writes queue up) until the returned function is called; see WalCheckpointer. */
  private pauseCommits(): () => void {
    this.commitsPaused = true;
    return () => {
      this.commitsPaused = false;
      if (this.queue.length > 0 && !this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    };
  }

  /** Apply every queued write in one transaction, then notify watchers and settle the promises. */
  private flush(): void {
    this.flushScheduled = false;
    // close() commits what is queued whatever holds it.
    if (this.commitsPaused && !this.released) return;
    // A transaction committed now would wait for the running sync to end and then for one of its own, as would
    // writes arriving meanwhile: they all commit together when it ends, which takes one transaction instead of
    // one per event-loop turn, and answers them no later.
    if (this.walSync?.syncing && !this.released) {
      if (!this.flushAfterSync) {
        this.flushAfterSync = true;
        this.walSync.whenSyncEnds(() => {
          this.flushAfterSync = false;
          this.flush();
        });
      }
      return;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    const before = this.rev;
    this.txBytes = 0;
    try {
      outcomes = this.db.transaction(() => batch.map((p) => this.apply(p.op)))();
    } catch (err) {
      this.txRows.clear();
      this.rev = before;
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.error('store write transaction failed', { error: e.message, writes: batch.length });
      for (const p of batch) p.reject(e);
      this.notifyPublished();
      return;
    }
    const committed = this.rev;
    for (const [key, row] of this.txRows) this.committedRows.set(key, row);
    this.txRows.clear();
    this.checkpointer?.committed(this.txBytes);
    const publish = (syncErr?: Error): void => {
      if (syncErr) {
        // Whether the transaction reached the disk is unknown: refuse to acknowledge anything more.
        this.logger.error('store WAL sync failed; closing the store', { error: syncErr.message });
        this.closed = true;
        this.hub.closeAll(syncErr);
        for (const p of batch) p.reject(syncErr);
        this.notifyPublished();
        return;
      }
      this.visibleRev = Math.max(this.visibleRev, committed);
      const events: StoreEvent[] = [];
      for (const o of outcomes) {
        if (!('event' in o)) continue;
        events.push(o.event);
        const { key, modRevision } = o.event.kv;
        if (o.event.type === 'delete') this.latest.delete(key);
        else this.latest.set(o.event.kv);
        // A later write to the key, still on its way, stays.
        if (this.committedRows.get(key)?.id === modRevision) this.committedRows.delete(key);
      }
      this.hub.publish(events);
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if ('kv' in o) p.resolve(o.kv);
        else p.reject(o.err);
      });
      this.notifyPublished();
    };
    if (this.walSync && committed > before) this.walSync.afterCommit(publish);
    else if (committed > before) publish();
    else this.settleAfterVisible(publish);
  }

  private notifyPublished(): void {
    if (this.publishWaiters.length === 0) return;
    const waiters = this.publishWaiters;
    this.publishWaiters = [];
    for (const done of waiters) done();
  }

  /**
   * A batch that wrote nothing (every write failed its check) must still not answer before earlier writes it
   * was checked against are visible, or a client could see a conflict with a revision it cannot read.
   */
  private settleAfterVisible(publish: () => void): void {
    if (this.walSync && this.visibleRev < this.rev) this.walSync.afterCommit(() => publish());
    else publish();
  }

  /** One write inside the group transaction. A failed check affects only this write. */
  private apply(op: WriteOp): Outcome {
    const cur = this.newestRow(op.key);
    const live = cur && cur.deleted === 0 ? cur : undefined;
    if (op.kind === 'create') {
      if (live) return { err: new KeyExistsError(op.key) };
    } else {
      if (!live) return { err: new KeyNotFoundError(op.key) };
      if (op.expected !== undefined && live.id !== op.expected) {
        return { err: new RevisionMismatchError(op.key, op.expected, live.id) };
      }
    }
    const id = this.rev + 1;
    const row: Row = {
      id,
      name: op.key,
      created: op.kind === 'create' ? 1 : 0,
      deleted: op.kind === 'delete' ? 1 : 0,
      create_revision: live ? live.create_revision : id,
      prev_revision: cur?.id ?? 0,
      value: op.kind === 'delete' ? (live?.value ?? null) : op.value,
      // For this write's event only: the table leaves old_value empty (see schema.ts).
      old_value: op.kind === 'update' ? (live?.value ?? null) : null,
    };
    try {
      this.stmts.insert.run(
        id,
        row.name,
        row.created,
        row.deleted,
        row.create_revision,
        row.prev_revision,
        row.value ?? Buffer.alloc(0),
        null,
      );
    } catch (err) {
      return { err: err instanceof Error ? err : new Error(String(err)) };
    }
    this.rev = id;
    this.txRows.set(op.key, {
      id,
      deleted: row.deleted,
      create_revision: row.create_revision,
      value: row.value,
    });
    // Row overhead (key, columns, index entries) is put at a generous 200 bytes.
    this.txBytes += (row.value?.length ?? 0) + row.name.length + 200;
    const event = rowToEvent(row);
    return { kv: event.kv, event };
  }

  /** The key's newest row as the write transaction under way sees it, from memory when it is there. */
  private newestRow(key: string): NewestRow | undefined {
    const known = this.txRows.get(key) ?? this.committedRows.get(key);
    if (known) return known;
    // Without a write on its way, the newest visible value is the newest row (deleted keys are not cached).
    const kv = this.latest.get(key);
    if (kv) return { id: kv.modRevision, deleted: 0, create_revision: kv.createRevision, value: kv.value };
    return this.stmts.latest.get(key);
  }

  private readEvents(prefix: string, after: number, limit: number): StoreEvent[] {
    return this.stmts.history
      .all(after, this.visibleRev, prefix, prefixEnd(prefix) ?? MAX_KEY, limit)
      .map(rowToEvent);
  }

  /** Delete superseded rows and deletion markers at or below revision, a batch per event-loop turn. */
  private async compactTo(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.visibleRev)
      throw new Error(`cannot compact to future revision ${revision} (current ${this.visibleRev})`);
    if (revision <= this.compactedRev && this.compactedThrough >= this.compactedRev) return;
    const target = Math.max(revision, this.compactedRev);
    this.compactedRev = target;
    this.stmts.setMarker.run(this.compactedThrough, target);
    const started = Date.now();
    let removed = 0;
    while (this.compactedThrough < target) {
      if (this.closed) return;
      const lo = this.compactedThrough;
      const hi = Math.min(lo + COMPACT_BATCH, target);
      this.db.transaction(() => {
        removed += this.stmts.compactSuperseded.run(lo, hi).changes;
        removed += this.stmts.compactDeletions.run(lo, hi).changes;
        this.stmts.setMarker.run(hi, target);
      })();
      this.compactedThrough = hi;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.logger.debug('compacted', { revision: target, removed, ms: Date.now() - started });
  }
}

/** Runs a synchronous operation, turning a throw into a rejected promise. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
