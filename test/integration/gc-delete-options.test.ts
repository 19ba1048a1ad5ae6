import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hasReason } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import { ApiClient, R } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

// The API server side of cascading deletion, without a garbage collector: finalizers only.
let server: TestServer;
let client: ApiClient;

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
});
after(async () => {
  client.close();
  await server.close();
});

const cms = () => client.resource<KubeObject>(R.configMaps);

async function raw(method: string, path: string, body?: unknown): Promise<KubeObject> {
  const res = await client.transport.request(
    method,
    path,
    body === undefined ? {} : { body: JSON.stringify(body) },
  );
  return JSON.parse(res.body) as KubeObject;
}

test('Orphan and Foreground add their finalizer and keep the object; Background deletes at once', async () => {
  await cms().create({ metadata: { name: 'orphan-me', namespace: 'default' } });
  const orphaned = (await cms().delete('default', 'orphan-me', {
    propagationPolicy: 'Orphan',
  })) as KubeObject;
  assert.deepEqual(orphaned.metadata?.finalizers, ['orphan']);
  assert.ok(orphaned.metadata?.deletionTimestamp);
  assert.equal(orphaned.metadata?.deletionGracePeriodSeconds, 0);

  await cms().create({ metadata: { name: 'fg-me', namespace: 'default' } });
  await cms().delete('default', 'fg-me', { propagationPolicy: 'Foreground' });
  assert.deepEqual((await cms().get('default', 'fg-me')).metadata?.finalizers, ['foregroundDeletion']);

  await cms().create({ metadata: { name: 'bg-me', namespace: 'default' } });
  await cms().delete('default', 'bg-me', { propagationPolicy: 'Background' });
  await assert.rejects(cms().get('default', 'bg-me'), (e) => hasReason(e, 'NotFound'));
});

test('a second DELETE switches the policy; dropping the last finalizer by update removes the object', async () => {
  await cms().create({
    metadata: { name: 'switch', namespace: 'default', finalizers: ['example.com/hold'] },
  });
  await cms().delete('default', 'switch', { propagationPolicy: 'Orphan' });
  assert.deepEqual((await cms().get('default', 'switch')).metadata?.finalizers, [
    'example.com/hold',
    'orphan',
  ]);
  await cms().delete('default', 'switch', { propagationPolicy: 'Foreground' });
  const fg = await cms().get('default', 'switch');
  assert.deepEqual(fg.metadata?.finalizers, ['example.com/hold', 'foregroundDeletion']);
  // No policy: the finalizer already there decides.
  await cms().delete('default', 'switch');
  assert.deepEqual((await cms().get('default', 'switch')).metadata?.finalizers, fg.metadata?.finalizers);
  await cms().delete('default', 'switch', { propagationPolicy: 'Background' });
  const bg = await cms().get('default', 'switch');
  assert.deepEqual(bg.metadata?.finalizers, ['example.com/hold']);
  await cms().update({ ...bg, metadata: { ...bg.metadata, finalizers: [] } });
  await assert.rejects(cms().get('default', 'switch'), (e) => hasReason(e, 'NotFound'));
});

test('switching an orphan-only deletion to Background deletes the object', async () => {
  await cms().create({ metadata: { name: 'orphan-then-bg', namespace: 'default' } });
  await cms().delete('default', 'orphan-then-bg', { propagationPolicy: 'Orphan' });
  await cms().delete('default', 'orphan-then-bg', { propagationPolicy: 'Background' });
  await assert.rejects(cms().get('default', 'orphan-then-bg'), (e) => hasReason(e, 'NotFound'));
});

test('the legacy orphanDependents flag and the per-version defaults', async () => {
  await cms().create({ metadata: { name: 'legacy', namespace: 'default' } });
  await raw('DELETE', '/api/v1/namespaces/default/configmaps/legacy', {
    kind: 'DeleteOptions',
    orphanDependents: true,
  });
  assert.deepEqual((await cms().get('default', 'legacy')).metadata?.finalizers, ['orphan']);
  await assert.rejects(
    raw('DELETE', '/api/v1/namespaces/default/configmaps/legacy', {
      orphanDependents: true,
      propagationPolicy: 'Foreground',
    }),
    (e) => hasReason(e, 'Invalid'),
  );

  // core/v1 ReplicationController orphans by default, for backwards compatibility.
  await client.resource(R.replicationControllers).create({
    metadata: { name: 'rc', namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { app: 'rc' },
      template: {
        metadata: { labels: { app: 'rc' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
  await raw('DELETE', '/api/v1/namespaces/default/replicationcontrollers/rc');
  const rc = await client.resource(R.replicationControllers).get('default', 'rc');
  assert.deepEqual(rc.metadata?.finalizers, ['orphan']);
  assert.equal(rc.metadata?.generation, 2, 'deletion bumps generation');

  // apps/v1 deletes dependents by default; the beta versions orphan.
  const rsBody = (name: string): KubeObject => ({
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
  await client.resource(R.replicaSets).create(rsBody('rs-v1'));
  await raw('DELETE', '/apis/apps/v1/namespaces/default/replicasets/rs-v1');
  await assert.rejects(client.resource(R.replicaSets).get('default', 'rs-v1'), (e) =>
    hasReason(e, 'NotFound'),
  );
  await client.resource(R.replicaSets).create(rsBody('rs-beta'));
  await raw('DELETE', '/apis/apps/v1beta2/namespaces/default/replicasets/rs-beta');
  assert.deepEqual((await client.resource(R.replicaSets).get('default', 'rs-beta')).metadata?.finalizers, [
    'orphan',
  ]);
});

test('a dry-run DELETE changes nothing', async () => {
  await cms().create({ metadata: { name: 'dry', namespace: 'default' } });
  await raw('DELETE', '/api/v1/namespaces/default/configmaps/dry?dryRun=All', {
    propagationPolicy: 'Orphan',
  });
  assert.equal((await cms().get('default', 'dry')).metadata?.finalizers, undefined);
});
