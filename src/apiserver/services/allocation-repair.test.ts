import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/types.js';
import { FakeClock } from '../../util/clock.js';
import { waitFor } from '../../util/wait.js';
import { ServiceAllocationRepair, type StoredService } from './allocation-repair.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocation-store.js';
import { ClusterIpAllocator, NodePortAllocator, ServiceAllocator, type ServiceSpec } from './allocators.js';
import { parseIpv4, parseServiceRange } from './cidr.js';

const GRACE_MS = 60_000;

function setup(services: StoredService[] = []): {
  store: MemoryStore;
  clock: FakeClock;
  allocator: ServiceAllocator;
  repair: ServiceAllocationRepair;
  services: StoredService[];
} {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const allocator = new ServiceAllocator(
    new ClusterIpAllocator(parseServiceRange('10.96.0.0/24'), store, clock),
    new NodePortAllocator(store, clock),
  );
  const repair = new ServiceAllocationRepair(allocator, () => Promise.resolve(services), {
    clock,
    graceMs: GRACE_MS,
  });
  return { store, clock, allocator, repair, services };
}

async function keys(store: Store, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).items.map((kv) => kv.key.slice(prefix.length));
}

test('existing Services get their keys (a cluster from before them) and the cache knows them', async () => {
  const { store, allocator, repair } = setup([
    { service: 'default/kubernetes', spec: { clusterIP: '10.96.0.1' } },
    { service: 'default/a', spec: { clusterIP: '10.96.0.2' } },
    {
      service: 'default/b',
      spec: { type: 'NodePort', clusterIP: '10.96.0.3', ports: [{ nodePort: 30000 }] },
    },
    { service: 'default/headless', spec: { clusterIP: 'None' } },
    { service: 'default/elsewhere', spec: { clusterIP: '10.200.0.9' } },
  ]);
  assert.deepEqual(await repair.repair(), { restored: 4, freed: 0 });
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), ['10.96.0.1', '10.96.0.2', '10.96.0.3']);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), ['30000']);
  const record = JSON.parse((await store.get(`${SERVICE_IPS_PREFIX}10.96.0.2`))!.value.toString());
  assert.equal(record.service, 'default/a');
  assert.ok(allocator.ips.pool.cachedAsUsed(parseIpv4('10.96.0.3')!));
  // Nothing is handed out twice, and the cache spares the store conflicts.
  const create = store.create.bind(store);
  let creates = 0;
  store.create = (key, value) => {
    creates++;
    return create(key, value);
  };
  const next: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }] };
  assert.deepEqual((await allocator.allocate(next)).errors, []);
  assert.equal(next.clusterIP, '10.96.0.4');
  assert.equal(next.ports?.[0]?.nodePort, 30001);
  assert.equal(creates, 2);
  // A second pass has nothing to do.
  assert.deepEqual(await repair.repair(), { restored: 0, freed: 0 });
  await store.close();
});

test('a key no Service holds is freed only after the grace period; held keys stay', async () => {
  const { store, clock, allocator, repair, services } = setup();
  const held: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }] };
  await allocator.allocate(held);
  services.push({ service: 'default/held', spec: held });
  // Allocated for a Service whose create is still on its way (or never came).
  const leaked: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }] };
  await allocator.allocate(leaked);
  assert.deepEqual(await repair.repair(), { restored: 0, freed: 0 });
  clock.advance(GRACE_MS - 1000);
  assert.deepEqual(await repair.repair(), { restored: 0, freed: 0 });
  clock.advance(1000);
  assert.deepEqual(await repair.repair(), { restored: 0, freed: 2 });
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), [held.clusterIP]);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), [String(held.ports![0]!.nodePort)]);
  assert.ok(!allocator.ips.pool.cachedAsUsed(parseIpv4(leaked.clusterIP!)!));
  // Freed addresses can be asked for again.
  const again: ServiceSpec = {
    clusterIP: leaked.clusterIP!,
    type: 'NodePort',
    ports: [{ port: 1, nodePort: leaked.ports![0]!.nodePort! }],
  };
  assert.deepEqual((await allocator.allocate(again)).errors, []);
  await store.close();
});

test('an unreadable key counts as old; a key written again after the pass read it is not freed', async () => {
  const { store, allocator, repair } = setup();
  await store.create(`${SERVICE_IPS_PREFIX}10.96.0.7`, Buffer.from('garbage'));
  assert.deepEqual(await repair.repair(), { restored: 0, freed: 1 });
  const pool = allocator.ips.pool;
  await store.create(`${SERVICE_IPS_PREFIX}10.96.0.8`, Buffer.from('garbage'));
  const [entry] = await pool.entries();
  // Released and allocated again by someone else in between.
  await store.delete(entry!.key);
  await store.create(entry!.key, Buffer.from('garbage'));
  assert.equal(await pool.releaseEntry(entry!), false);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), ['10.96.0.8']);
  await store.close();
});

test('a Service whose key went missing gets it back, so nobody else can take its address', async () => {
  const spec: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }] };
  const { store, allocator, repair, services } = setup();
  await allocator.allocate(spec);
  services.push({ service: 'default/web', spec });
  await store.delete(`${SERVICE_IPS_PREFIX}${spec.clusterIP}`);
  await store.delete(`${NODE_PORTS_PREFIX}${spec.ports![0]!.nodePort}`);
  assert.deepEqual(await repair.repair(), { restored: 2, freed: 0 });
  const clash = await allocator.allocate({ clusterIP: spec.clusterIP! });
  assert.equal(clash.errors.length, 1);
  await store.close();
});

test('start runs a pass at once and then every interval until stopped', async () => {
  const store = new MemoryStore();
  const allocator = new ServiceAllocator(
    new ClusterIpAllocator(parseServiceRange('10.96.0.0/24'), store),
    new NodePortAllocator(store),
  );
  let passes = 0;
  const repair = new ServiceAllocationRepair(
    allocator,
    () => {
      passes++;
      return Promise.resolve([]);
    },
    { intervalMs: 20 },
  );
  await repair.start();
  assert.equal(passes, 1);
  await waitFor(() => passes >= 3, { timeoutMs: 2000, intervalMs: 5 });
  repair.stop();
  const stopped = passes;
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(passes <= stopped + 1);
  await store.close();
});
