import { EventEmitter } from 'node:events';
import { IpcRpc, type IpcChannel } from '../../util/ipc-rpc.js';
import { runStoreContract } from '../contract.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Store } from '../types.js';
import { RpcStore, reviveStoreError } from './rpc-store.js';
import { serveStore } from './serve-store.js';

/** Two ends of an IPC channel in one process: messages are serialized as Node's (JSON) IPC does. */
function channelPair(): [IpcChannel, IpcChannel] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (self: EventEmitter, other: EventEmitter): IpcChannel => ({
    send: (message) => {
      const text = JSON.stringify(message);
      setImmediate(() => other.emit('message', JSON.parse(text)));
      return true;
    },
    on: (event, listener) => self.on(event, listener),
    off: (event, listener) => self.off(event, listener),
  });
  return [end(a, b), end(b, a)];
}

const backing = new WeakMap<Store, { store: MemoryStore; rpcs: IpcRpc[]; stop(): void }>();

runStoreContract(
  'rpc over IPC (memory behind it)',
  () => {
    const store = new MemoryStore();
    const [near, far] = channelPair();
    const serverSide = new IpcRpc(far);
    const stop = serveStore(store, serverSide);
    const clientSide = new IpcRpc(near, reviveStoreError);
    const remote = new RpcStore(clientSide);
    backing.set(remote, { store, rpcs: [serverSide, clientSide], stop });
    return Promise.resolve(remote);
  },
  async (remote) => {
    const b = backing.get(remote);
    if (!b) return;
    await remote.close();
    b.stop();
    for (const rpc of b.rpcs) rpc.close();
    await b.store.close();
  },
);
