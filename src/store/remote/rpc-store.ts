import type { IpcRpc, SerializedError } from '../../util/ipc-rpc.js';
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

/**
 * A store that lives in another process (the server's main process), reached by calls over IPC. Its writes,
 * compare-and-swap checks and revisions stay that process's own: this side only asks. Watches are pushed as
 * notices (`watch-events` / `watch-error`) for the id this side picked.
 */
export class RpcStore implements Store {
  private nextWatch = 1;
  private readonly watches = new Map<number, WatchCallbacks>();
  private closed = false;
  /** Calls still waiting for their answer: close lets them finish. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly rpc: IpcRpc) {
    rpc.handle('watch-events', (id: number, events: StoreEvent[]) => {
      this.watches.get(id)?.onEvents(events.map(reviveEvent));
    });
    rpc.handle('watch-error', (id: number, e: SerializedError) => {
      const cb = this.watches.get(id);
      this.watches.delete(id);
      cb?.onError(reviveStoreError(e));
    });
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.ask<KeyValue | undefined>('get', key).then((kv) => kv && reviveKv(kv));
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const result = await this.ask<ListResult>('list', prefix, opts);
    result.items = result.items.map(reviveKv);
    return result;
  }

  count(prefix: string): Promise<number> {
    return this.ask('count', prefix);
  }

  create(key: string, value: Buffer): Promise<KeyValue> {
    return this.ask<KeyValue>('create', key, value.toString('latin1')).then(reviveKv);
  }

  update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    return this.ask<KeyValue>('update', key, value.toString('latin1'), expectedModRevision).then(reviveKv);
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.ask<KeyValue>('delete', key, expectedModRevision).then(reviveKv);
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    if (this.closed) throw new StoreClosedError();
    const id = this.nextWatch++;
    this.watches.set(id, callbacks);
    this.rpc.notify('watch', id, prefix, fromRevision);
    return {
      close: () => {
        if (!this.watches.delete(id)) return;
        this.rpc.notify('unwatch', id);
      },
    };
  }

  compact(revision: number): Promise<void> {
    return this.ask('compact', revision);
  }

  currentRevision(): Promise<number> {
    return this.ask('currentRevision');
  }

  compactedRevision(): Promise<number> {
    return this.ask('compactedRevision');
  }

  /** Lets calls under way finish and ends this side's watches; the store itself is the other process's. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, cb] of this.watches) {
      this.rpc.notify('unwatch', id);
      cb.onError(new StoreClosedError());
    }
    this.watches.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private ask<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    const call = this.rpc.call<T>(`store.${method}`, ...args);
    this.inFlight.add(call);
    const settled = (): void => void this.inFlight.delete(call);
    call.then(settled, settled);
    return call;
  }
}

/** The store's error classes from their serialized form; anything else as a plain Error. */
export function reviveStoreError(e: SerializedError): Error {
  const f = e.fields;
  switch (e.name) {
    case 'KeyExistsError':
      return new KeyExistsError(String(f.key));
    case 'KeyNotFoundError':
      return new KeyNotFoundError(String(f.key));
    case 'RevisionMismatchError':
      return new RevisionMismatchError(String(f.key), Number(f.expected), Number(f.actual));
    case 'CompactedError':
      return new CompactedError(Number(f.requested), Number(f.compacted));
    case 'StoreClosedError':
      return new StoreClosedError();
    default: {
      const err = new Error(e.message);
      err.name = e.name;
      return Object.assign(err, f);
    }
  }
}

/** Values travel as text (see serve-store.ts); the store's callers expect Buffers. */
function reviveKv(kv: KeyValue): KeyValue {
  kv.value = Buffer.from(kv.value as unknown as string, 'latin1');
  return kv;
}

function reviveEvent(e: StoreEvent): StoreEvent {
  reviveKv(e.kv);
  if (e.prevKv) reviveKv(e.prevKv);
  return e;
}
