/**
 * The API server keeps the `kubernetes` Endpoints and EndpointSlice naming itself across restarts: the same
 * address leaves them alone, a new address updates them, and a new address family replaces the slice (its
 * addressType is immutable).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startApiServer } from '../../src/apiserver/index.js';
import { ApiClient, R } from '../../src/client/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/logger.js';
import { adminAuthenticator } from '../helpers/api-server.js';

const store = new MemoryStore();

/** Starts a server on the shared store advertising `address`, reads both objects, stops it. */
async function startWith(
  address: string,
): Promise<{ endpoints: Endpoints; slice: EndpointSlice; port: number }> {
  const server = await startApiServer({
    bindAddress: '127.0.0.1',
    port: 0,
    advertiseAddress: address,
    authenticator: adminAuthenticator,
    store,
    serviceCIDR: '10.43.0.0/16',
    logger: silentLogger,
  });
  const client = new ApiClient({ server: `http://127.0.0.1:${server.port}` });
  try {
    return {
      endpoints: await client.resource<Endpoints>(R.endpoints).get('default', 'kubernetes'),
      slice: await client.resource<EndpointSlice>(R.endpointSlices).get('default', 'kubernetes'),
      port: server.port,
    };
  } finally {
    client.close();
    await server.close();
  }
}

test('the kubernetes Endpoints and EndpointSlice follow the advertised address across restarts', async () => {
  try {
    const first = await startWith('10.0.0.5');
    assert.deepEqual(first.endpoints.subsets, [
      { addresses: [{ ip: '10.0.0.5' }], ports: [{ name: 'https', port: first.port, protocol: 'TCP' }] },
    ]);
    assert.equal(first.slice.addressType, 'IPv4');
    assert.deepEqual(first.slice.endpoints, [{ addresses: ['10.0.0.5'], conditions: { ready: true } }]);

    const moved = await startWith('10.0.0.6');
    assert.equal(moved.endpoints.subsets?.[0]?.addresses?.[0]?.ip, '10.0.0.6');
    assert.deepEqual(moved.slice.endpoints?.[0]?.addresses, ['10.0.0.6']);
    assert.equal(moved.slice.metadata?.uid, first.slice.metadata?.uid, 'updated in place');
    assert.deepEqual(moved.slice.ports, [{ name: 'https', port: moved.port, protocol: 'TCP' }]);

    const v6 = await startWith('fd00::5');
    assert.equal(v6.slice.addressType, 'IPv6');
    assert.deepEqual(v6.slice.endpoints?.[0]?.addresses, ['fd00::5']);
    assert.notEqual(v6.slice.metadata?.uid, first.slice.metadata?.uid, 'a new family is a new slice');
    assert.equal(v6.endpoints.metadata?.uid, first.endpoints.metadata?.uid);
  } finally {
    await store.close();
  }
});

test('with several API servers on one store the kubernetes Endpoints name every live one', async () => {
  const shared = new MemoryStore();
  const start = (bindAddress: string, advertiseAddress: string, port: number) =>
    startApiServer({
      bindAddress,
      port,
      advertiseAddress,
      authenticator: adminAuthenticator,
      store: shared,
      serviceCIDR: '10.43.0.0/16',
      logger: silentLogger,
    });
  const a = await start('127.0.0.2', '10.0.1.1', 0);
  const client = new ApiClient({ server: `http://127.0.0.2:${a.port}` });
  const addresses = async (): Promise<string[]> => {
    const slice = await client.resource<EndpointSlice>(R.endpointSlices).get('default', 'kubernetes');
    const endpoints = await client.resource<Endpoints>(R.endpoints).get('default', 'kubernetes');
    const fromSlice = (slice.endpoints ?? []).flatMap((e) => e.addresses);
    assert.deepEqual(
      (endpoints.subsets?.[0]?.addresses ?? []).map((x) => x.ip),
      fromSlice,
      'Endpoints and EndpointSlice agree',
    );
    return fromSlice;
  };
  const leases = client.resource<Record<string, unknown>>(R.leases);
  const lease = (name: string, address: string, port: number, renewedMsAgo: number) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver' },
      annotations: { 'tugboat.dev/advertise-address': address, 'tugboat.dev/advertise-port': String(port) },
    },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: 15,
      renewTime: new Date(Date.now() - renewedMsAgo).toISOString().replace('Z', '000Z'),
    },
  });
  let b: Awaited<ReturnType<typeof start>> | undefined;
  try {
    assert.deepEqual(await addresses(), ['10.0.1.1']);
    b = await start('127.0.0.3', '10.0.1.2', a.port);
    assert.deepEqual(await addresses(), ['10.0.1.1', '10.0.1.2']);
    const own = (await leases.list('kube-system')).items.filter(
      (l) => (l.metadata as { labels?: Record<string, string> }).labels?.['apiserver.kubernetes.io/identity'],
    );
    assert.equal(own.length, 2, 'one Lease per server');

    // A server that stops takes its address out; the one left keeps serving.
    await b.close();
    b = undefined;
    assert.deepEqual(await addresses(), ['10.0.1.1']);

    // Live Leases count, expired ones and those of another port do not.
    await leases.create(lease('apiserver-live', '10.0.1.3', a.port, 1000));
    await leases.create(lease('apiserver-expired', '10.0.1.4', a.port, 60_000));
    await leases.create(lease('apiserver-other-port', '10.0.1.5', a.port + 1, 1000));
    b = await start('127.0.0.3', '10.0.1.2', a.port);
    assert.deepEqual(await addresses(), ['10.0.1.1', '10.0.1.2', '10.0.1.3']);
  } finally {
    client.close();
    await b?.close();
    await a.close();
    await shared.close();
  }
});
