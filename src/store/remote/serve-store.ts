import { serializeError, type IpcRpc } from '../../util/ipc-rpc.js';
import type { KeyValue, ListOptions, Store, StoreEvent, Watcher } from '../types.js';

/** A KeyValue with its value as text, as it travels. */
type WireKv = Omit<KeyValue, 'value'> & { value: string };

/**
 * Values travel as text, one character per byte (latin1), so any bytes survive: Node's plain (JSON) IPC
 * carries strings natively, where its structured-clone mode runs a serializer written in JavaScript for every
 * Buffer.
 */
function toWire(kv: KeyValue): WireKv {
  return {
    key: kv.key,
    value: kv.value.toString('latin1'),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    ...(kv.stale ? { stale: true } : {}),
  };
}

function eventToWire(e: StoreEvent): unknown {
  return {
    type: e.type,
    kv: toWire(e.kv),
    ...(e.prevKv ? { prevKv: toWire(e.prevKv) } : {}),
    revision: e.revision,
  };
}

/**
 * Answers an RpcStore in another process from this process's store: reads, writes and watches. Returns a
 * function that ends the watches it opened (the other process went away).
 */
export function serveStore(store: Store, rpc: IpcRpc): () => void {
  const watches = new Map<number, Watcher>();
  rpc.handle('store.get', async (key: string) => {
    const kv = await store.get(key);
    return kv && toWire(kv);
  });
  // JSON turns an undefined argument into null.
  rpc.handle('store.list', async (prefix: string, opts: ListOptions | null) => {
    const result = await store.list(prefix, opts ?? undefined);
    return { ...result, items: result.items.map(toWire) };
  });
  rpc.handle('store.count', (prefix: string) => store.count(prefix));
  rpc.handle('store.create', async (key: string, value: string) =>
    toWire(await store.create(key, Buffer.from(value, 'latin1'))),
  );
  rpc.handle('store.update', async (key: string, value: string, expected: number) =>
    toWire(await store.update(key, Buffer.from(value, 'latin1'), expected)),
  );
  rpc.handle('store.delete', async (key: string, expected: number | null) =>
    toWire(await store.delete(key, expected ?? undefined)),
  );
  rpc.handle('store.compact', (revision: number) => store.compact(revision));
  rpc.handle('store.currentRevision', () => store.currentRevision());
  rpc.handle('store.compactedRevision', () => store.compactedRevision());
  rpc.handle('watch', (id: number, prefix: string, from: number) => {
    try {
      watches.set(
        id,
        store.watch(prefix, from, {
          onEvents: (events: StoreEvent[]) => rpc.notify('watch-events', id, events.map(eventToWire)),
          onError: (err) => {
            watches.delete(id);
            rpc.notify('watch-error', id, serializeError(err));
          },
        }),
      );
    } catch (err) {
      rpc.notify('watch-error', id, serializeError(err));
    }
  });
  rpc.handle('unwatch', (id: number) => {
    watches.get(id)?.close();
    watches.delete(id);
  });
  return () => {
    for (const w of watches.values()) w.close();
    watches.clear();
  };
}
