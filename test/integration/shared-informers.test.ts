/** Informers shared by components of one process: one cache and watch, handlers and lifetimes per component. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { ApiClient, InformerFactory, R, ScopedInformer, SharedInformerPool } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { serverForTests } from '../helpers/api-server.js';

const t = serverForTests();

test('two components share one cache; each keeps its own handlers; the last to stop stops the watch', async () => {
  const pool = new SharedInformerPool(t.client);
  const a = new InformerFactory(t.client, { shared: pool });
  const b = new InformerFactory(t.client, { shared: pool });
  const seenA: string[] = [];
  const seenB: string[] = [];
  const infA = a.informer<ConfigMap>(R.configMaps);
  const infB = b.informer<ConfigMap>(R.configMaps);
  assert.ok(infA instanceof ScopedInformer);
  infA.addEventHandler({ add: (c) => seenA.push(c.metadata?.name ?? '') });
  infB.addEventHandler({ add: (c) => seenB.push(c.metadata?.name ?? '') });
  infB.addIndexer('by-data', (c) => Object.keys(c.data ?? {}));
  a.start();
  b.start();
  await Promise.all([a.waitForSync(), b.waitForSync()]);
  assert.equal(pool.running, 1);

  const cms = t.client.resource<ConfigMap>(R.configMaps);
  await cms.create({ metadata: { name: 'one', namespace: 'default' }, data: { k: 'v' } });
  await waitFor(() => seenA.includes('one') && seenB.includes('one'), {
    message: 'both saw one',
  });
  assert.equal(infA.get('default', 'one')?.data?.k, 'v');
  // An index one component added serves the other: it is the same cache.
  assert.deepEqual(
    infA.byIndex('by-data', 'k').map((c) => c.metadata?.name),
    ['one'],
  );

  b.stop();
  assert.equal(pool.running, 1, 'a still uses it');
  await cms.create({ metadata: { name: 'two', namespace: 'default' } });
  await waitFor(() => seenA.includes('two'), { message: 'a saw two' });
  assert.ok(!seenB.includes('two'), "a stopped component's handlers are gone");

  a.stop();
  assert.equal(pool.running, 0);
});

test('stopping a component releases its waitForSync even while the shared informer keeps trying', async () => {
  const unreachable = new ApiClient({ server: 'https://127.0.0.1:1' });
  const pool = new SharedInformerPool(unreachable);
  const a = new InformerFactory(unreachable, { shared: pool });
  a.informer<ConfigMap>(R.configMaps);
  a.start();
  const synced = a.waitForSync();
  a.stop();
  await synced;
  assert.equal(pool.running, 0);
  unreachable.close();
});
