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
