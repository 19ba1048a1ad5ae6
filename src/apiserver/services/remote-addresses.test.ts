import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { ipcChannelPair } from '../../util/ipc-channel-pair.js';
import { IpcRpc } from '../../util/ipc-rpc.js';
import { ClusterIpAllocator, NodePortAllocator, ServiceAllocator, type ServiceSpec } from './allocators.js';
import { parseServiceRange } from './cidr.js';
import { RemoteServiceAddresses, serveServiceAddresses } from './remote-addresses.js';

function setup(): { local: ServiceAllocator; remote: RemoteServiceAddresses; close: () => void } {
  const store = new MemoryStore();
  const local = new ServiceAllocator(
    new ClusterIpAllocator(parseServiceRange('10.96.0.0/29'), store),
    new NodePortAllocator(store),
  );
  const [a, b] = ipcChannelPair();
  const main = new IpcRpc(b);
  serveServiceAddresses(local, main);
  const worker = new IpcRpc(a);
  return {
    local,
    remote: new RemoteServiceAddresses(worker),
    close: () => {
      main.close();
      worker.close();
      void store.close();
    },
  };
}

test('a serving process gets addresses from the main allocator: never one the main process gave out', async () => {
  const { local, remote, close } = setup();
  const here: ServiceSpec = { ports: [{ port: 80 }] };
  await local.allocate(here);
  const there: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }] };
  const result = await remote.allocate(there);
  assert.deepEqual(result.errors, []);
  assert.ok(there.clusterIP && there.clusterIP !== here.clusterIP, `${there.clusterIP} vs ${here.clusterIP}`);
  assert.deepEqual(there.clusterIPs, [there.clusterIP]);
  assert.ok(there.ports?.[0]?.nodePort);
  // Taken through the remote side means taken for the main side too.
  const clash = await local.allocate({ clusterIP: there.clusterIP, ports: [{ port: 80 }] });
  assert.equal(clash.errors.length, 1);
  // Undo (the write failed) gives both back, once it has answered.
  await result.undo();
  assert.deepEqual((await local.allocate({ clusterIP: there.clusterIP })).errors, []);
  assert.deepEqual(
    (await local.allocate({ type: 'NodePort', ports: [{ port: 1, nodePort: there.ports[0].nodePort }] }))
      .errors,
    [],
  );
  close();
});

test('errors come back as field errors; releases after delete reach the main allocator', async () => {
  const { local, remote, close } = setup();
  const taken: ServiceSpec = {};
  await local.allocate(taken);
  const clash = await remote.allocate({ clusterIP: taken.clusterIP! });
  assert.equal(clash.errors.length, 1);
  assert.equal(clash.errors[0]!.field, 'spec.clusterIPs');
  const mine: ServiceSpec = {};
  await remote.allocate(mine);
  await remote.releaseDropped(mine);
  assert.deepEqual((await local.allocate({ clusterIP: mine.clusterIP! })).errors, []);
  close();
});
