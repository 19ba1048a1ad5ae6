import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.js';
import { isApiError } from '../../src/api/errors.js';
import { ApiClient, R, Transport } from '../../src/client/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';

// The TCP listener knows nobody; only the socket's fixed user may act.
const nobody = { authenticate: () => undefined };
const dir = mkdtempSync(join(tmpdir(), 'tugboat-sock-'));
const path = join(dir, 'api.sock');
let server: RunningApiServer;

before(async () => {
  server = await startApiServer({
    bindAddress: '127.0.0.1',
    port: 0,
    authenticator: nobody,
    store: new MemoryStore(),
    serviceCIDR: '10.43.0.0/16',
    localSocket: { path, user: { username: 'system:tugboat-control-plane', groups: ['system:masters'] } },
  });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the local socket serves the API as its fixed user, private to the server user', async () => {
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const client = new ApiClient({ server: 'http://localhost', socketPath: path });
  try {
    const transport = new Transport({ server: 'http://localhost', socketPath: path });
    const res = await transport.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    transport.close();
    const review = JSON.parse(res.body) as { status?: { userInfo?: { username?: string } } };
    assert.equal(review.status?.userInfo?.username, 'system:tugboat-control-plane');
    await client.resource(R.configMaps).create({ metadata: { name: 'via-socket', namespace: 'default' } });
    const seen: string[] = [];
    const stream = await client.resource(R.configMaps).watch(
      'default',
      { resourceVersion: '0' },
      (ev) => seen.push(`${ev.type} ${ev.object.metadata?.name ?? ''}`),
      () => {},
    );
    await waitUntil(() => seen.includes('ADDED via-socket'));
    stream.close();
  } finally {
    client.close();
  }
  const tcp = new ApiClient({ server: `http://127.0.0.1:${server.port}` });
  try {
    await assert.rejects(
      tcp.resource(R.configMaps).list('default'),
      (err) => isApiError(err) && (err.code === 401 || err.code === 403),
    );
  } finally {
    tcp.close();
  }
});

test('closing the server removes the socket file', async () => {
  await server.close();
  assert.equal(existsSync(path), false);
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}
