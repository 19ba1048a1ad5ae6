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

/** One write to a key; a deletion is kept as a marker until compacted. */
interface Version {
  kv: KeyValue;
  deleted: boolean;
}

/** In-memory store with full history until compacted. For tests and throwaway servers. */
export class MemoryStore implements Store {
  private rev = 0;
  private compactedRev = 0;
  /** Versions per key, oldest first. */
  private readonly versions = new Map<string, Version[]>();
  private sortedKeys: string[] | undefined;
  /** Every event above the compacted revision, in revision order. */
  private log: StoreEvent[] = [];
  private closed = false;
  private readonly hub: WatchHub;

  constructor(opts: { logger?: Logger } = {}) {
    this.hub = new WatchHub(
      {
        readEvents: (prefix, after, limit) => this.readEvents(prefix, after, limit),
        head: () => this.rev,
        compacted: () => this.compactedRev,
      },
      opts.logger ?? silentLogger,
    );
  }

  get(key: string): Promise<KeyValue | undefined> {
    return settle(() => this.getSync(key));
  }

  private getSync(key: string): KeyValue | undefined {
    this.checkOpen();
    const latest = this.latest(key);
    return latest && !latest.deleted ? copy(latest.kv) : undefined;
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return settle(() => this.listSync(prefix, opts));
  }

  private listSync(prefix: string, opts: ListOptions = {}): ListResult {
    this.checkOpen();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.rev;
    if (revision < this.compactedRev) throw new CompactedError(revision, this.compactedRev);
    if (revision > this.rev) throw new Error(`revision ${revision} is in the future (current ${this.rev})`);
    const keys = this.keys();
    const end = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KeyValue[] = [];
    let more = false;
    let remaining = 0;
    for (let i = lowerBound(keys, rangeStart(prefix, opts.startKey)); i < keys.length; i++) {
      const key = keys[i]!;
      if (end !== undefined && key >= end) break;
      const v = versionAt(this.versions.get(key)!, revision);
      if (!v || v.deleted) continue;
      if (items.length < limit) items.push(copy(v.kv));
      else {
        more = true;
        remaining++;
      }
    }
    return more ? { items, revision, more, remaining } : { items, revision, more, remaining: 0 };
  }

  async count(prefix: string): Promise<number> {
    const { items } = await this.list(prefix);
    return items.length;
  }

  create(key: string, value: Buffer): Promise<KeyValue> {
    return settle(() => this.createSync(key, value));
  }

  private createSync(key: string, value: Buffer): KeyValue {
    this.checkOpen();
    const latest = this.latest(key);
    if (latest && !latest.deleted) throw new KeyExistsError(key);
    const rev = ++this.rev;
    const kv: KeyValue = { key, value: Buffer.from(value), createRevision: rev, modRevision: rev };
    this.append(key, { kv, deleted: false }, { type: 'create', kv: copy(kv), revision: rev });
    return copy(kv);
  }

  update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    return settle(() => this.updateSync(key, value, expectedModRevision));
  }

  private updateSync(key: string, value: Buffer, expectedModRevision: number): KeyValue {
    this.checkOpen();
    const latest = this.latest(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    if (latest.kv.modRevision !== expectedModRevision) {
      throw new RevisionMismatchError(key, expectedModRevision, latest.kv.modRevision);
    }
    const rev = ++this.rev;
    const kv: KeyValue = {
      key,
      value: Buffer.from(value),
      createRevision: latest.kv.createRevision,
      modRevision: rev,
    };
    this.append(
      key,
      { kv, deleted: false },
      { type: 'update', kv: copy(kv), prevKv: copy(latest.kv), revision: rev },
    );
    return copy(kv);
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return settle(() => this.deleteSync(key, expectedModRevision));
  }

  private deleteSync(key: string, expectedModRevision?: number): KeyValue {
    this.checkOpen();
    const latest = this.latest(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && latest.kv.modRevision !== expectedModRevision) {
      throw new RevisionMismatchError(key, expectedModRevision, latest.kv.modRevision);
    }
    const rev = ++this.rev;
    const kv: KeyValue = { ...latest.kv, modRevision: rev };
    this.append(
      key,
      { kv, deleted: true },
      { type: 'delete', kv: copy(kv), prevKv: copy(latest.kv), revision: rev },
    );
    return copy(kv);
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    this.checkOpen();
    return this.hub.add(prefix, fromRevision, callbacks);
  }

  compact(revision: number): Promise<void> {
    return settle(() => this.compactSync(revision));
  }

  private compactSync(revision: number): void {
    this.checkOpen();
    if (revision <= this.compactedRev) return;
    if (revision > this.rev) throw new Error(`cannot compact to future revision ${revision}`);
    this.compactedRev = revision;
    for (const [key, vs] of this.versions) {
      // Keep the newest version at or below the revision (unless it is a deletion) and everything after.
      let keepFrom = 0;
      for (let i = vs.length - 1; i >= 0; i--) {
        const v = vs[i]!;
        if (v.kv.modRevision <= revision) {
          keepFrom = v.deleted ? i + 1 : i;
          break;
        }
      }
      if (keepFrom > 0) vs.splice(0, keepFrom);
      if (vs.length === 0) {
        this.versions.delete(key);
        this.sortedKeys = undefined;
      }
    }
    this.log = this.log.slice(lowerBoundRev(this.log, revision + 1));
  }

  currentRevision(): Promise<number> {
    return settle(() => {
      this.checkOpen();
      return this.rev;
    });
  }

  compactedRevision(): Promise<number> {
    return settle(() => {
      this.checkOpen();
      return this.compactedRev;
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.hub.closeAll();
    }
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private latest(key: string): Version | undefined {
    const vs = this.versions.get(key);
    return vs?.[vs.length - 1];
  }

  private append(key: string, version: Version, event: StoreEvent): void {
    let vs = this.versions.get(key);
    if (!vs) {
      vs = [];
      this.versions.set(key, vs);
      this.sortedKeys = undefined;
    }
    vs.push(version);
    this.log.push(event);
    this.hub.publish([event]);
  }

  private keys(): string[] {
    this.sortedKeys ??= [...this.versions.keys()].sort();
    return this.sortedKeys;
  }

  private readEvents(prefix: string, after: number, limit: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let i = lowerBoundRev(this.log, after + 1); i < this.log.length && out.length < limit; i++) {
      const e = this.log[i]!;
      if (e.kv.key.startsWith(prefix)) out.push(copyEvent(e));
    }
    return out;
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

function versionAt(vs: Version[], revision: number): Version | undefined {
  for (let i = vs.length - 1; i >= 0; i--) {
    const v = vs[i]!;
    if (v.kv.modRevision <= revision) return v;
  }
  return undefined;
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundRev(log: StoreEvent[], revision: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.revision < revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function copy(kv: KeyValue): KeyValue {
  return { ...kv, value: Buffer.from(kv.value) };
}

function copyEvent(e: StoreEvent): StoreEvent {
  return e.prevKv ? { ...e, kv: copy(e.kv), prevKv: copy(e.prevKv) } : { ...e, kv: copy(e.kv) };
}
