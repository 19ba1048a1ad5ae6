import { ipcChannelPair } from '../../util/ipc-channel-pair.js';
import { IpcRpc } from '../../util/ipc-rpc.js';
import { runStoreContract } from '../contract.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Store } from '../types.js';
import { RpcStore, reviveStoreError } from './rpc-store.js';
import { serveStore } from './serve-store.js';

const backing = new WeakMap<Store, { store: MemoryStore; rpcs: IpcRpc[]; stop(): void }>();

runStoreContract(
  'rpc over IPC (memory behind it)',
  () => {
    const store = new MemoryStore();
    const [near, far] = ipcChannelPair();
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
