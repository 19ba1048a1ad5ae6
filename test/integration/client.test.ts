import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hasReason } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import {
  ApiClient,
  EventRecorder,
  Informer,
  LeaderElector,
  R,
  stripManagedFields,
} from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;

before(async () => {
  server = await startTestServer({ watchCacheSize: 64 });
  client = new ApiClient({ server: server.url });
});
after(async () => {
  client.close();
  await server.close();
});

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'client-test' } },
  data,
});

test('typed verbs: create, get, update, patch, list with selectors, delete; errors are ApiErrors', async () => {
  const cms = client.resource(R.configMaps);
  const created = await cms.create(cm('verbs', { a: '1' }));
  assert.equal(created.kind, 'ConfigMap');
  const got = await cms.get('default', 'verbs');
  assert.equal(got.metadata?.uid, created.metadata?.uid);
  const updated = await cms.update({ ...got, data: { a: '2' } });
  assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
  await assert.rejects(cms.update({ ...got, data: { a: '3' } }), (e) => hasReason(e, 'Conflict'));
  const patched = await cms.patch('default', 'verbs', 'merge', { data: { b: 'x' } });
  assert.deepEqual(patched.data, { a: '2', b: 'x' });
  // Without a result: the write lands all the same, and failures are the same ApiErrors.
  assert.equal(await cms.patchWithoutResult('default', 'verbs', 'merge', { data: { c: 'y' } }), undefined);
  assert.deepEqual((await cms.get('default', 'verbs')).data, { a: '2', b: 'x', c: 'y' });
  await assert.rejects(cms.patchWithoutResult('default', 'absent', 'merge', { data: {} }), (e) =>
    hasReason(e, 'NotFound'),
  );
  assert.equal(await cms.createWithoutResult(cm('quiet', { q: '1' })), undefined);
  assert.deepEqual((await cms.get('default', 'quiet')).data, { q: '1' });
  await assert.rejects(cms.createWithoutResult(cm('quiet')), (e) => hasReason(e, 'AlreadyExists'));
  await cms.delete('default', 'quiet');
  const list = await cms.list('default', { labelSelector: 'app=client-test' });
  assert.ok(list.items.some((i) => i.metadata?.name === 'verbs' && i.kind === 'ConfigMap'));
  await cms.delete('default', 'verbs');
  await assert.rejects(cms.get('default', 'verbs'), (e) => hasReason(e, 'NotFound'));
  await assert.rejects(cms.create({ metadata: { name: 'Bad_Name', namespace: 'default' } }), (e) =>
    hasReason(e, 'Invalid'),
  );
});

test('informer: lists, then delivers add/update/delete and keeps its cache and indexes', async () => {
  const cms = client.resource(R.configMaps);
  await cms.create(cm('before'));
  const informer = new Informer(cms, { namespace: 'default' });
  informer.addIndexer('byData', (o) => Object.keys((o.data as Record<string, string> | undefined) ?? {}));
  const seen: string[] = [];
  informer.addEventHandler({
    add: (o) => seen.push(`add ${o.metadata?.name}`),
    update: (_, o) => seen.push(`update ${o.metadata?.name}`),
    delete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  informer.start();
  await informer.waitForSync();
  assert.ok(informer.get('default', 'before'));
  await cms.create(cm('later', { k: 'v' }));
  await cms.patch('default', 'later', 'merge', { data: { k: 'w' } });
  await cms.delete('default', 'before');
  await waitFor(() => seen.includes('delete before') && seen.includes('update later'));
  assert.deepEqual(seen, ['add before', 'add later', 'update later', 'delete before']);
  assert.equal(informer.get('default', 'before'), undefined);
  assert.deepEqual(
    informer.byIndex('byData', 'k').map((o) => o.metadata?.name),
    ['later'],
  );
  informer.stop();
  await cms.delete('default', 'later');
});

test('informer transform: managedFields stripped from listed and watched objects; updates from them keep the stored ones', async () => {
  const cms = client.resource(R.configMaps);
  await cms.create({ metadata: { name: 'strip-listed', namespace: 'default', labels: { app: 'strip' } } });
  const informer = new Informer(cms, {
    namespace: 'default',
    labelSelector: 'app=strip',
    transform: stripManagedFields,
  });
  const handed: KubeObject[] = [];
  informer.addEventHandler({ add: (o) => handed.push(o), update: (_, o) => handed.push(o) });
  try {
    informer.start();
    await informer.waitForSync();
    await cms.create(
      { metadata: { name: 'strip-watched', namespace: 'default', labels: { app: 'strip' } } },
      { fieldManager: 'creator' },
    );
    await waitFor(() => informer.get('default', 'strip-watched') !== undefined);
    const stored = await cms.get('default', 'strip-watched');
    assert.deepEqual(
      stored.metadata?.managedFields?.map((m) => m.manager),
      ['creator'],
    );
    for (const name of ['strip-listed', 'strip-watched']) {
      assert.equal(informer.get('default', name)?.metadata?.managedFields, undefined, name);
    }
    assert.equal(handed.length, 2);
    assert.ok(
      handed.every((o) => o.metadata?.managedFields === undefined),
      'handlers get the stripped object',
    );
    // A controller's update built from its cached copy sends no managedFields: the stored ones stay.
    const cached = informer.get('default', 'strip-watched')!;
    const updated = await cms.update({ ...cached, data: { k: 'v' } }, { fieldManager: 'controller' });
    assert.deepEqual(updated.metadata?.managedFields?.map((m) => m.manager).sort(), [
      'controller',
      'creator',
    ]);
  } finally {
    informer.stop();
  }
  await cms.delete('default', 'strip-listed');
  await cms.delete('default', 'strip-watched');
});

test('informer relists after its watch position is compacted away (410) and catches up', async () => {
  const cms = client.resource(R.configMaps);
  const informer = new Informer(cms, { namespace: 'default', labelSelector: 'app=relist' });
  informer.start();
  await informer.waitForSync();
  informer.stop();
  // While stopped, push more than the watch cache window (64 events) so resuming from the old revision fails.
  for (let i = 0; i < 80; i++) {
    await cms.create({ metadata: { name: `r-${i}`, namespace: 'default', labels: { app: 'relist' } } });
  }
  await server.store.compact(await server.store.currentRevision());
  informer.start();
  await waitFor(() => informer.size === 80, { message: 'informer relisted all 80' });
  informer.stop();
});

test('leader election: one leader at a time; a second candidate takes over when the first stops', async () => {
  const events: string[] = [];
  const make = (id: string) =>
    new LeaderElector(client, {
      name: 'client-test',
      identity: id,
      leaseDurationMs: 1000,
      renewDeadlineMs: 800,
      retryPeriodMs: 100,
      onStartedLeading: () => events.push(`${id} leads`),
      onStoppedLeading: () => events.push(`${id} stops`),
    });
  const a = make('a');
  a.start();
  await waitFor(() => a.isLeader);
  const b = make('b');
  b.start();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(b.isLeader, false, 'b waits while a renews');
  await a.stop();
  await waitFor(() => b.isLeader, { timeoutMs: 5000 });
  await b.stop();
  assert.deepEqual(events, ['a leads', 'a stops', 'b leads', 'b stops']);
});

test('a replica that crashed while leading takes its lease back at once under the same identity', async () => {
  // The lease a crashed leader leaves: held, freshly renewed, never released.
  const leases = client.resource(R.leases);
  const now = new Date().toISOString().replace('Z', '000Z');
  await leases.create({
    metadata: { name: 'client-crash', namespace: 'kube-system' },
    spec: { holderIdentity: 'same', leaseDurationSeconds: 30, acquireTime: now, renewTime: now },
  });
  const make = (id: string): LeaderElector =>
    new LeaderElector(client, {
      name: 'client-crash',
      identity: id,
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 100,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    });
  const other = make('other');
  other.start();
  const same = make('same');
  same.start();
  await waitFor(() => same.isLeader, { timeoutMs: 3000, message: 'the same identity leads again' });
  assert.equal(other.isLeader, false, 'another identity waits for the lease to expire');
  await other.stop();
  await same.stop();
});

test('event recorder: an event is written once, and its repeat bumps the count of that Event', async () => {
  const cms = client.resource(R.configMaps);
  const subject = await cms.create(cm('event-subject'));
  const recorder = new EventRecorder(client, 'client-test');
  const ofSubject = async () =>
    (
      await client.resource(R.events).list('default', {
        fieldSelector: `involvedObject.name=event-subject,reason=Tested`,
      })
    ).items as (KubeObject & { count?: number })[];
  recorder.event(subject, 'Normal', 'Tested', 'once');
  await waitFor(async () => (await ofSubject()).length === 1);
  recorder.event(subject, 'Normal', 'Tested', 'once');
  await waitFor(async () => (await ofSubject())[0]?.count === 2);
  assert.equal((await ofSubject()).length, 1);
  await cms.delete('default', 'event-subject');
});
