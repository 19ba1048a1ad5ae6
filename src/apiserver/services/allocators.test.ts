import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldErr } from '../../api/errors.js';
import { MemoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/types.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocation-store.js';
import {
  ClusterIpAllocator,
  NODE_PORT_MAX,
  NODE_PORT_MIN,
  NodePortAllocator,
  ServiceAllocator,
  type ServiceSpec,
} from './allocators.js';
import { parseServiceRange } from './cidr.js';

function allocator(store: Store, cidr = '10.96.0.0/16'): ServiceAllocator {
  return new ServiceAllocator(
    new ClusterIpAllocator(parseServiceRange(cidr), store),
    new NodePortAllocator(store),
  );
}

async function keys(store: Store, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).items.map((kv) => kv.key.slice(prefix.length));
}

test('allocate fills clusterIP, clusterIPs and node ports and records one key each', async () => {
  const store = new MemoryStore();
  const spec: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] };
  const result = await allocator(store).allocate(spec, undefined, 'default/web');
  assert.deepEqual(result.errors, []);
  assert.equal(spec.clusterIP, '10.96.0.2');
  assert.deepEqual(spec.clusterIPs, ['10.96.0.2']);
  assert.deepEqual(
    spec.ports?.map((p) => p.nodePort),
    [NODE_PORT_MIN, NODE_PORT_MIN + 1],
  );
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), ['10.96.0.2']);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), ['30000', '30001']);
  const record = JSON.parse((await store.get(`${SERVICE_IPS_PREFIX}10.96.0.2`))!.value.toString());
  assert.equal(record.service, 'default/web');
  assert.match(record.at, /^\d{4}-\d\d-\d\dT/);
  await store.close();
});

test('headless, ExternalName and ClusterIP Services take only what they use', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  const headless: ServiceSpec = { clusterIP: 'None', ports: [{ port: 80, nodePort: 30100 }] };
  assert.deepEqual((await a.allocate(headless)).errors, []);
  assert.equal(headless.ports?.[0]?.nodePort, undefined);
  const external: ServiceSpec = { type: 'ExternalName' };
  assert.deepEqual((await a.allocate(external)).errors, []);
  assert.equal(external.clusterIP, undefined);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), []);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), []);
  await store.close();
});

test('two allocators over one store never hand out the same IP or port under concurrent allocation', async () => {
  const store = new MemoryStore();
  const servers = [allocator(store), allocator(store)];
  const specs: ServiceSpec[] = Array.from({ length: 200 }, () => ({
    type: 'NodePort',
    ports: [{ port: 80 }],
  }));
  const results = await Promise.all(specs.map((spec, i) => servers[i % 2]!.allocate(spec)));
  for (const r of results) assert.deepEqual(r.errors, []);
  const ips = specs.map((s) => s.clusterIP);
  const ports = specs.map((s) => s.ports?.[0]?.nodePort);
  assert.equal(new Set(ips).size, 200);
  assert.equal(new Set(ports).size, 200);
  assert.equal((await keys(store, SERVICE_IPS_PREFIX)).length, 200);
  assert.equal((await keys(store, NODE_PORTS_PREFIX)).length, 200);
  await store.close();
});

test('a small range fills up across two allocators: range is full, with the same 422 details as before', async () => {
  const store = new MemoryStore();
  // /29: .1 to .6 are usable.
  const [a, b] = [allocator(store, '10.96.0.0/29'), allocator(store, '10.96.0.0/29')];
  const specs: ServiceSpec[] = Array.from({ length: 6 }, () => ({}));
  const results = await Promise.all(specs.map((spec, i) => (i % 2 ? a : b).allocate(spec)));
  for (const r of results) assert.deepEqual(r.errors, []);
  assert.equal(new Set(specs.map((s) => s.clusterIP)).size, 6);
  const full = await a.allocate({});
  assert.deepEqual(full.errors, [fieldErr.invalid('spec.clusterIPs', [], 'range is full')]);
  // Freed by one, found by the other (its cache still counts it as used: the full range reads the store again).
  await b.releaseDropped(specs[0]);
  const again: ServiceSpec = {};
  assert.deepEqual((await a.allocate(again)).errors, []);
  assert.equal(again.clusterIP, specs[0]!.clusterIP);
  await store.close();
});

test('a specific IP or node port the other allocator holds is refused with the upstream error', async () => {
  const store = new MemoryStore();
  const [a, b] = [allocator(store), allocator(store)];
  const first: ServiceSpec = {
    type: 'NodePort',
    clusterIP: '10.96.1.1',
    ports: [{ port: 80, nodePort: 31000 }],
  };
  assert.deepEqual((await a.allocate(first)).errors, []);
  const second: ServiceSpec = {
    type: 'NodePort',
    clusterIP: '10.96.1.1',
    ports: [{ port: 80, nodePort: 31000 }],
  };
  const clash = await b.allocate(second);
  assert.deepEqual(clash.errors, [
    fieldErr.invalid(
      'spec.clusterIPs',
      ['10.96.1.1'],
      'failed to allocate IP 10.96.1.1: provided IP is already allocated',
    ),
    fieldErr.invalid('spec.ports[0].nodePort', 31000, 'provided port is already allocated'),
  ]);
  // Released by the one that holds them: the other gets them.
  await a.releaseDropped(first);
  assert.deepEqual((await b.allocate(second)).errors, []);
  await store.close();
});

test('out-of-range requests keep their messages and reserve nothing', async () => {
  const store = new MemoryStore();
  const a = allocator(store, '10.96.0.0/24');
  const result = await a.allocate({
    type: 'NodePort',
    clusterIP: '10.97.0.1',
    ports: [{ port: 80, nodePort: 80 }],
  });
  assert.deepEqual(result.errors, [
    fieldErr.invalid(
      'spec.clusterIPs',
      ['10.97.0.1'],
      'failed to allocate IP 10.97.0.1: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/24',
    ),
    fieldErr.invalid(
      'spec.ports[0].nodePort',
      80,
      `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
    ),
  ]);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), []);
  await store.close();
});

test('a failed allocation gives back what it reserved; undo (a dry run) releases everything it took', async () => {
  const store = new MemoryStore();
  const [a, b] = [allocator(store), allocator(store)];
  assert.deepEqual(
    (await b.allocate({ type: 'NodePort', ports: [{ port: 1, nodePort: 31001 }] })).errors,
    [],
  );
  const failing: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 31001 }] };
  const failed = await a.allocate(failing);
  assert.equal(failed.errors.length, 1);
  // The IP and the first port were reserved, then given back.
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), ['31001']);
  assert.equal((await keys(store, SERVICE_IPS_PREFIX)).length, 1);

  const dry: ServiceSpec = { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 80 }] };
  const ok = await a.allocate(dry);
  assert.deepEqual(ok.errors, []);
  await ok.undo();
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), ['31001']);
  assert.ok(!(await keys(store, SERVICE_IPS_PREFIX)).includes('10.96.5.5'));
  // The other allocator can take them right away.
  assert.deepEqual(
    (await b.allocate({ ...dry, ports: [{ port: 80, nodePort: dry.ports![0]!.nodePort }] })).errors,
    [],
  );
  await store.close();
});

test('an update keeps the old IP and node ports without allocating them again; releaseDropped frees only what went', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  const old: ServiceSpec = { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] };
  await a.allocate(old);
  const updated: ServiceSpec = {
    type: 'NodePort',
    clusterIP: old.clusterIP!,
    ports: [{ port: 80, nodePort: old.ports![0]!.nodePort! }, { port: 82 }],
  };
  const result = await a.allocate(updated, old);
  assert.deepEqual(result.errors, []);
  assert.equal(updated.clusterIP, old.clusterIP);
  assert.equal((await keys(store, NODE_PORTS_PREFIX)).length, 3);
  // The update's undo frees only the new port.
  await result.undo();
  assert.equal((await keys(store, NODE_PORTS_PREFIX)).length, 2);
  await a.allocate(updated, old);
  await a.releaseDropped(old, updated);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), [
    String(old.ports![0]!.nodePort),
    String(updated.ports![1]!.nodePort),
  ]);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), [old.clusterIP]);
  // Type ClusterIP drops the node ports; deleting frees the IP.
  const plain: ServiceSpec = { type: 'ClusterIP', clusterIP: old.clusterIP!, ports: [{ port: 80 }] };
  await a.allocate(plain, updated);
  await a.releaseDropped(updated, plain);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), []);
  await a.releaseDropped(plain);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), []);
  await store.close();
});

test('a store failure while allocating gives back what was reserved and rejects', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  const create = store.create.bind(store);
  store.create = (key, value) =>
    key.startsWith(NODE_PORTS_PREFIX) ? Promise.reject(new Error('store down')) : create(key, value);
  await assert.rejects(a.allocate({ type: 'NodePort', ports: [{ port: 80 }] }), /store down/);
  assert.deepEqual(await keys(store, SERVICE_IPS_PREFIX), []);
  await store.close();
});

test('a LoadBalancer with externalTrafficPolicy Local gets a health check port, kept, refused when taken, freed', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  const local: ServiceSpec = { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] };
  assert.deepEqual((await a.allocate(local)).errors, []);
  assert.equal(local.ports?.[0]?.nodePort, NODE_PORT_MIN);
  assert.equal(local.healthCheckNodePort, NODE_PORT_MIN + 1);
  assert.deepEqual(await keys(store, NODE_PORTS_PREFIX), ['30000', '30001']);
  // Cluster policy or another type: no health check port.
  const cluster: ServiceSpec = {
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Cluster',
    ports: [{ port: 80 }],
  };
  await a.allocate(cluster);
  assert.equal(cluster.healthCheckNodePort, undefined);
  // An update keeps it without taking it again; a port asked for that is taken is refused as upstream.
  const same: ServiceSpec = { ...local, ports: [{ port: 80, nodePort: NODE_PORT_MIN }] };
  assert.deepEqual((await a.allocate(same, local)).errors, []);
  assert.equal(same.healthCheckNodePort, local.healthCheckNodePort);
  const clash: ServiceSpec = {
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 30000,
  };
  assert.deepEqual((await a.allocate(clash)).errors, [
    fieldErr.invalid('spec.healthCheckNodePort', 30000, 'provided port is already allocated'),
  ]);
  const chosen: ServiceSpec = {
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 32000,
  };
  assert.deepEqual((await a.allocate(chosen)).errors, []);
  assert.ok((await keys(store, NODE_PORTS_PREFIX)).includes('32000'));
  // Moving to Cluster (the strategy drops the field) frees it; deleting frees the rest.
  const { healthCheckNodePort: _dropped, ...toCluster } = { ...same, externalTrafficPolicy: 'Cluster' };
  await a.allocate(toCluster, same);
  await a.releaseDropped(same, toCluster);
  assert.ok(!(await keys(store, NODE_PORTS_PREFIX)).includes(String(local.healthCheckNodePort)));
  await a.releaseDropped(chosen);
  assert.ok(!(await keys(store, NODE_PORTS_PREFIX)).includes('32000'));
  await store.close();
});
