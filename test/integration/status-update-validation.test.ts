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

test('objects stored before a rule existed keep their status writes and updates that do not make them worse', async () => {
  const path = '/api/v1/namespaces/default/pods/stored-before';
  const created = await send('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stored-before' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.equal(created.status, 201, await created.clone().text());
  // A spec that a rule added later would refuse, written past validation as an older server stored it.
  const { context } = server.server;
  const def = context.registry.mustGet('', 'pods');
  const stored = (await context.storage.get(def, 'default', 'stored-before')) as KubeObject;
  (stored.spec as { dnsPolicy: string }).dnsPolicy = 'Bogus';
  await context.storage.update(def, stored, Number(stored.metadata?.resourceVersion));

  const merge = 'application/merge-patch+json';
  const status = await send(
    'PATCH',
    `${path}/status`,
    { status: { phase: 'Running', podIP: '10.42.0.5' } },
    merge,
  );
  assert.equal(status.status, 200, await status.clone().text());
  assert.equal(((await status.json()) as { status: { phase: string } }).status.phase, 'Running');

  const relabel = await send('PATCH', path, { metadata: { labels: { app: 'web' } } }, merge);
  assert.equal(relabel.status, 200, await relabel.clone().text());

  // A new problem is still refused, and the old one is reported beside it only if the update changed it.
  const worse = await send(
    'PATCH',
    path,
    { spec: { activeDeadlineSeconds: 0 }, metadata: { labels: { app: 'other' } } },
    merge,
  );
  assert.equal(worse.status, 422);
  const body = (await worse.json()) as { details: { causes: { field: string }[] } };
  assert.deepEqual(
    body.details.causes.map((c) => c.field),
    ['spec.activeDeadlineSeconds'],
  );
});

test('a spec that is invalid on create is refused on update too', async () => {
  const res = await send('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'valid' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.equal(res.status, 201);
  const update = await send(
    'PATCH',
    '/api/v1/namespaces/default/pods/valid',
    { spec: { activeDeadlineSeconds: 0 } },
    'application/merge-patch+json',
  );
  assert.equal(update.status, 422);
});
