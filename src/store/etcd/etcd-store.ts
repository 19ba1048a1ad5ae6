import {
  Etcd3,
  type IKeyValue,
  type ITxnRequest as TxnRequest,
  type ITxnResponse as TxnResponse,
  type IWatchResponse,
  type Watcher as EtcdWatcher,
} from 'etcd3';
import { silentLogger, type Logger } from '../../util/logger.js';
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

export interface EtcdStoreOptions {
  /** host:port or URLs of the members. */
  endpoints: string[];
  /** Prepended to every key in etcd (to share one etcd between stores or test runs). */
  keyPrefix?: string;
  logger?: Logger;
}

/** Where the last compaction revision is recorded (as the API server's compact_rev_key). */
const COMPACT_KEY = 'compact_rev_key';
const ZERO = Buffer.from([0]);

/** Store backed by etcd v3. Revisions are etcd's own; every check is a server-side transaction. */
export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly markerKey: Buffer;
  private readonly logger: Logger;
  private readonly watches = new Set<{ fail(err: Error): void }>();
  /** Writes sent to etcd and not yet answered; close() waits for them. */
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(opts: EtcdStoreOptions) {
    this.prefix = opts.keyPrefix ?? '';
    this.markerKey = Buffer.from(this.prefix + COMPACT_KEY);
    this.logger = opts.logger ?? silentLogger;
    this.client = new Etcd3({
      hosts: opts.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`)),
      // The default 4 MiB limit fails on large ranges.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: this.full(key) });
    const kv = res.kvs[0];
    return kv ? this.toKv(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = opts.startKey ? opts.startKey : prefix;
    if (!start.startsWith(prefix)) throw new Error(`startKey ${JSON.stringify(start)} is not under prefix`);
    let res;
    try {
      res = await this.client.kv.range({
        key: this.full(start),
        range_end: this.rangeEnd(prefix),
        revision: opts.revision && opts.revision > 0 ? opts.revision : 0,
        limit,
      });
    } catch (err) {
      throw await this.mapCompacted(err, opts.revision ?? 0);
    }
    const items = res.kvs.filter((kv) => !this.isMarker(kv.key)).map((kv) => this.toKv(kv));
    const revision = opts.revision && opts.revision > 0 ? opts.revision : Number(res.header.revision);
    const total = Number(res.count) - (res.kvs.length - items.length);
    return { items, revision, more: res.more, remaining: Math.max(0, total - items.length) };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const res = await this.client.kv.range({
      key: this.full(prefix),
      range_end: this.rangeEnd(prefix),
      count_only: true,
    });
    let n = Number(res.count);
    if (
      this.markerUnder(prefix) &&
      (await this.client.kv.range({ key: this.markerKey, count_only: true })).count !== '0'
    )
      n--;
    return n;
  }

  async create(key: string, value: Buffer): Promise<KeyValue> {
    this.checkOpen();
    const k = this.full(key);
    const res = await this.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value } }],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const k = this.full(key);
    const res = await this.txn({
      compare: [
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
        { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
      ],
      success: [{ request_put: { key: k, value, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded)
      throw this.casFailure(key, expectedModRevision, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0]?.response_put?.prev_kv;
    if (!prev) throw new Error(`etcd returned no previous value for ${key}`);
    return {
      key,
      value,
      createRevision: Number(prev.create_revision),
      modRevision: Number(res.header.revision),
    };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const k = this.full(key);
    const compare: NonNullable<TxnRequest['compare']> = [
      { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
    ];
    if (expectedModRevision !== undefined) {
      compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision });
    }
    const res = await this.txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) {
      throw this.casFailure(key, expectedModRevision ?? 0, res.responses[0]?.response_range?.kvs[0]);
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { ...this.toKv(prev), modRevision: Number(res.header.revision) };
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    this.checkOpen();
    let done = false;
    let delivered = fromRevision;
    let etcdWatcher: EtcdWatcher | undefined;
    const stop = (): void => {
      done = true;
      this.watches.delete(handle);
      if (etcdWatcher) void etcdWatcher.cancel().catch(() => {});
    };
    const handle = {
      fail: (err: Error): void => {
        if (done) return;
        stop();
        callbacks.onError(err);
      },
    };
    this.watches.add(handle);
    const start = async (): Promise<void> => {
      const compacted = await this.compactedRevision();
      if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);
      const w = await this.client
        .watch()
        .inRange({ start: this.full(prefix), end: this.rangeEnd(prefix) })
        .startRevision(String(fromRevision + 1))
        .withPreviousKV()
        .create();
      etcdWatcher = w;
      if (done) {
        void w.cancel().catch(() => {});
        return;
      }
      w.on('data', (res: IWatchResponse) => {
        if (done) return;
        const events = this.toEvents(res);
        const last = events[events.length - 1];
        if (last) delivered = last.revision;
        if (events.length > 0) callbacks.onEvents(events);
      });
      // etcd cancels a watch on a compacted revision without a reason: ask etcd whether that was it.
      w.on('error', (err: Error) => {
        void this.watchFailure(err, delivered).then(handle.fail);
      });
    };
    start().catch((err: unknown) => handle.fail(err instanceof Error ? err : new Error(String(err))));
    return { close: stop };
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision <= (await this.compactedRevision())) return;
    await this.client.kv.put({ key: this.markerKey, value: Buffer.from(String(revision)) });
    try {
      await this.client.kv.compact({ revision });
    } catch (err) {
      // Someone (another server, etcd's auto-compaction) already compacted past this revision.
      if (!isCompactedError(err)) throw err;
    }
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: this.markerKey, count_only: true });
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: this.markerKey });
    const kv = res.kvs[0];
    return kv ? Number(kv.value.toString()) || 0 : 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.fail(new StoreClosedError());
    await Promise.allSettled([...this.inflight]);
    this.client.close();
  }

  /** A write transaction, tracked so close() can wait for it. */
  private txn(req: TxnRequest): Promise<TxnResponse> {
    const p = this.client.kv.txn(req);
    this.inflight.add(p);
    const done = (): void => void this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private full(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  /** The end of the key range holding every key that starts with prefix (etcd's "prefix + 1"). */
  private rangeEnd(prefix: string): Buffer {
    const end = Buffer.from(this.prefix + prefix);
    for (let i = end.length - 1; i >= 0; i--) {
      if (end[i]! < 0xff) {
        end[i]!++;
        return end.subarray(0, i + 1);
      }
    }
    return ZERO;
  }

  private isMarker(key: Buffer): boolean {
    return key.equals(this.markerKey);
  }

  private markerUnder(prefix: string): boolean {
    return COMPACT_KEY.startsWith(prefix);
  }

  private toKv(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.toString().slice(this.prefix.length),
      value: kv.value,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private toEvents(res: IWatchResponse): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const e of res.events) {
      if (this.isMarker(e.kv.key)) continue;
      const revision = Number(e.kv.mod_revision);
      const prevKv = e.prev_kv ? this.toKv(e.prev_kv) : undefined;
      if (e.type === 'Delete') {
        // etcd's delete event carries an empty value; the last value comes with prev_kv.
        const kv = prevKv
          ? { ...prevKv, modRevision: revision }
          : { ...this.toKv(e.kv), modRevision: revision };
        out.push(prevKv ? { type: 'delete', kv, prevKv, revision } : { type: 'delete', kv, revision });
      } else {
        const kv = this.toKv(e.kv);
        if (kv.createRevision === kv.modRevision) out.push({ type: 'create', kv, revision });
        else out.push(prevKv ? { type: 'update', kv, prevKv, revision } : { type: 'update', kv, revision });
      }
    }
    return out;
  }

  private casFailure(key: string, expected: number, current: IKeyValue | undefined): Error {
    if (!current) return new KeyNotFoundError(key);
    return new RevisionMismatchError(key, expected, Number(current.mod_revision));
  }

  private async watchFailure(err: Error, delivered: number): Promise<Error> {
    try {
      await this.client.kv.range({ key: this.markerKey, revision: delivered + 1, count_only: true });
      return err;
    } catch (probe) {
      return this.mapCompacted(probe, delivered);
    }
  }

  private async mapCompacted(err: unknown, requested: number): Promise<Error> {
    const e = err instanceof Error ? err : new Error(String(err));
    if (!isCompactedError(e)) return e;
    // etcd does not say where it compacted; our marker knows unless someone else compacted.
    const marker = await this.compactedRevision().catch(() => 0);
    const compacted = Math.max(marker, requested + 1);
    this.logger.debug('etcd revision compacted', { requested, compacted });
    return new CompactedError(requested, compacted);
  }
}

function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /compacted/i.test(err.message);
}
