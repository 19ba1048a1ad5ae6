import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

async function send(
  method: string,
  path: string,
  body: unknown,
  type = 'application/json',
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': type },
    body: JSON.stringify(body),
  });
}

test('status writes do not re-validate the stored spec; spec writes do', async () => {
  const path = '/api/v1/namespaces/default/pods/stored-before';
  const created = await send('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stored-before' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.equal(created.status, 201, await created.clone().text());
  // A spec that a validation rule added later would refuse, written past validation as an older server stored it.
  const { context } = server.server;
  const def = context.registry.mustGet('', 'pods');
  const stored = (await context.storage.get(def, 'default', 'stored-before')) as KubeObject;
  (stored.spec as { dnsPolicy: string }).dnsPolicy = 'Bogus';
  await context.storage.update(def, stored, Number(stored.metadata?.resourceVersion));

  const status = await send(
    'PATCH',
    `${path}/status`,
    { status: { phase: 'Running', podIP: '10.42.0.5' } },
    'application/merge-patch+json',
  );
  assert.equal(status.status, 200, await status.clone().text());
  assert.equal(((await status.json()) as { status: { phase: string } }).status.phase, 'Running');

  const relabel = await send(
    'PATCH',
    path,
    { metadata: { labels: { app: 'web' } } },
    'application/merge-patch+json',
  );
  assert.equal(relabel.status, 422);
  const body = (await relabel.json()) as { details: { causes: { field: string }[] } };
  assert.deepEqual(
    body.details.causes.map((c) => c.field),
    ['spec.dnsPolicy'],
  );
});
