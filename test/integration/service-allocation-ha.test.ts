import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

// Two API servers over one store, as several `tugboat server` processes over one etcd.
const store = new MemoryStore();
const servers: TestServer[] = [];

before(async () => {
  // Started together: both bootstrap the same cluster (the `kubernetes` Service and its first IP).
  servers.push(...(await Promise.all([startTestServer({ store }), startTestServer({ store })])));
});

after(async () => {
  for (const s of servers) {
    await s.server.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
  await store.close();
});

const SERVICES = '/api/v1/namespaces/default/services';

function service(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

describe('Service addresses with two API servers over one store', () => {
  test('concurrent creates through both get distinct cluster IPs and node ports', async () => {
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(
          servers[i % 2]!.url,
          'POST',
          SERVICES,
          service(`con-${i}`, {
            type: i % 3 ? 'NodePort' : 'ClusterIP',
            ports: [
              { name: 'a', port: 80 },
              { name: 'b', port: 81 },
            ],
          }),
        ),
      ),
    );
    for (const r of created) assert.equal(r.status, 201, r.text);
    const list = await call(servers[0]!.url, 'GET', SERVICES);
    const items = list.json.items as { spec: { clusterIP: string; ports: { nodePort?: number }[] } }[];
    const ips = items.map((s) => s.spec.clusterIP);
    assert.equal(new Set(ips).size, ips.length);
    const ports = items.flatMap((s) => s.spec.ports.map((p) => p.nodePort).filter((p) => p !== undefined));
    assert.equal(ports.length, 80);
    assert.equal(new Set(ports).size, ports.length);
  });

  test('one server refuses what the other gave out; a delete through one frees it for the other', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const first = await call(
      a.url,
      'POST',
      SERVICES,
      service('held', { type: 'NodePort', ports: [{ port: 80 }] }),
    );
    assert.equal(first.status, 201);
    const { clusterIP } = first.json.spec;
    const nodePort = first.json.spec.ports[0].nodePort;
    const wanted = service('wanted', { type: 'NodePort', clusterIP, ports: [{ port: 80, nodePort }] });
    const clash = await call(b.url, 'POST', SERVICES, wanted);
    assert.equal(clash.status, 422);
    assert.match(clash.json.message, /provided IP is already allocated/);
    assert.match(clash.json.message, /provided port is already allocated/);
    assert.equal((await call(a.url, 'DELETE', `${SERVICES}/held`)).status, 200);
    // A dry run through one server holds nothing afterwards.
    const dry = await call(a.url, 'POST', `${SERVICES}?dryRun=All`, wanted);
    assert.equal(dry.status, 201, dry.text);
    const reused = await call(b.url, 'POST', SERVICES, wanted);
    assert.equal(reused.status, 201, reused.text);
    assert.equal(reused.json.spec.clusterIP, clusterIP);
    assert.equal(reused.json.spec.ports[0].nodePort, nodePort);
  });

  test('an allocation key per address lives outside the API space', async () => {
    const keys = (await store.list('/tugboat/allocations/serviceips/')).items.map((kv) => kv.key);
    const list = await call(servers[1]!.url, 'GET', '/api/v1/services');
    const ips = (list.json.items as { spec: { clusterIP: string } }[]).map((s) => s.spec.clusterIP).sort();
    assert.deepEqual(keys.map((k) => k.slice('/tugboat/allocations/serviceips/'.length)).sort(), ips);
  });
});
