import { serializeError, type IpcRpc } from '../../util/ipc-rpc.js';
import type { ListOptions, Store, StoreEvent, Watcher } from '../types.js';

/**
 * Answers an RpcStore in another process from this process's store: reads, writes and watches. Returns a
 * function that ends the watches it opened (the other process went away).
 */
export function serveStore(store: Store, rpc: IpcRpc): () => void {
  const watches = new Map<number, Watcher>();
  rpc.handle('store.get', (key: string) => store.get(key));
  rpc.handle('store.list', (prefix: string, opts?: ListOptions) => store.list(prefix, opts));
  rpc.handle('store.count', (prefix: string) => store.count(prefix));
  rpc.handle('store.create', (key: string, value: Uint8Array) => store.create(key, asBuffer(value)));
  rpc.handle('store.update', (key: string, value: Uint8Array, expected: number) =>
    store.update(key, asBuffer(value), expected),
  );
  rpc.handle('store.delete', (key: string, expected?: number) => store.delete(key, expected));
  rpc.handle('store.compact', (revision: number) => store.compact(revision));
  rpc.handle('store.currentRevision', () => store.currentRevision());
  rpc.handle('store.compactedRevision', () => store.compactedRevision());
  rpc.handle('watch', (id: number, prefix: string, from: number) => {
    try {
      watches.set(
        id,
        store.watch(prefix, from, {
          onEvents: (events: StoreEvent[]) => rpc.notify('watch-events', id, events),
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

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
