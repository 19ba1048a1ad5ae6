/**
 * The join endpoints over HTTP: `/cacerts` without credentials, the node credentials endpoint behind the join
 * token, and precise Status errors for bad requests (the certificates themselves are issued by a stand-in here;
 * the e2e join test issues real ones).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NodeJoin } from '../../src/apiserver/join/node-join.js';
import { NodePasswords } from '../../src/apiserver/join/node-passwords.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let server: TestServer;

before(async () => {
  server = await startTestServer({
    nodeJoin: new NodeJoin({
      caPem: CA,
      password: 'join-secret',
      passwords: new NodePasswords(new MemoryStore()),
      issue: (node) =>
        Promise.resolve({
          client: { certPem: `client ${node}`, keyPem: 'k' },
          serving: { certPem: `serving ${node}`, keyPem: 'k' },
        }),
      nodeExists: () => Promise.resolve(true),
      cluster: {
        clusterCidr: '10.42.0.0/16',
        serviceCidr: '10.43.0.0/16',
        clusterDomain: 'cluster.local',
        clusterDns: [],
        disableKubeProxy: false,
        disableNetworkPolicy: false,
      },
    }),
  });
});

after(async () => {
  await server?.close();
});

async function postJoin(
  body: string,
  token = 'join-secret',
  method = 'POST',
): Promise<{ code: number; json: any }> {
  const res = await fetch(`${server.url}/v1-tugboat/node-credentials`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body } : {}),
  });
  return { code: res.status, json: await res.json() };
}

const request = JSON.stringify({
  nodeName: 'n1',
  nodePassword: 'p'.repeat(32),
  hostnames: [],
  addresses: [],
});

test('/cacerts serves the CA bundle to anyone', async () => {
  const res = await fetch(`${server.url}/cacerts`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), CA);
  assert.equal((await fetch(`${server.url}/cacerts`, { method: 'POST' })).status, 405);
});

test('the join token gets a node its credentials and the cluster settings', async () => {
  const { code, json } = await postJoin(request);
  assert.equal(code, 200);
  assert.equal(json.clientCert, 'client n1');
  assert.equal(json.caCert, CA);
  assert.equal(json.cluster.clusterCidr, '10.42.0.0/16');
});

test('bad join requests get Status errors, not 500s', async () => {
  const expect = async (
    r: Promise<{ code: number; json: any }>,
    code: number,
    reason: string,
  ): Promise<void> => {
    const { code: got, json } = await r;
    assert.equal(got, code);
    assert.equal(json.kind, 'Status');
    assert.equal(json.reason, reason);
  };
  await expect(postJoin(request, 'wrong'), 401, 'Unauthorized');
  await expect(postJoin('{not json'), 400, 'BadRequest');
  await expect(postJoin(JSON.stringify({ nodeName: 'n1' })), 400, 'BadRequest');
  await expect(postJoin('x'.repeat(70_000)), 413, 'RequestEntityTooLarge');
  await expect(postJoin('', 'join-secret', 'GET'), 405, 'MethodNotAllowed');
  await expect(
    postJoin(JSON.stringify({ nodeName: 'n1', nodePassword: 'q'.repeat(32), hostnames: [], addresses: [] })),
    403,
    'Forbidden',
  );
});
