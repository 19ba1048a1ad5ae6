import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call, openWatch } from '../helpers/http.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

describe('object semantics', () => {
  test('create sets uid, creationTimestamp and resourceVersion; get returns it', async () => {
    const r = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('c1'));
    assert.equal(r.status, 201);
    assert.match(r.json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(r.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(r.json.metadata.resourceVersion, /^\d+$/);
    const g = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/c1');
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, r.json);
  });

  test('update, patch and apply answer with the object as a get then reads it', async () => {
    const path = '/api/v1/namespaces/default/configmaps/same-1';
    const created = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('same-1'));
    const put = await call(t.url, 'PUT', path, { ...created.json, data: { a: 'changed' } });
    assert.equal(put.status, 200);
    assert.deepEqual((await call(t.url, 'GET', path)).json, put.json);
    const patched = await call(
      t.url,
      'PATCH',
      path,
      { data: { b: '2' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    assert.equal(patched.status, 200);
    assert.deepEqual((await call(t.url, 'GET', path)).json, patched.json);
    assert.deepEqual(patched.json.data, { a: 'changed', b: '2' });
    const applied = await call(
      t.url,
      'PATCH',
      `${path}?fieldManager=tester&force=true`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same-1' }, data: { c: '3' } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    assert.equal(applied.status, 200);
    assert.deepEqual((await call(t.url, 'GET', path)).json, applied.json);
    assert.notEqual(applied.json.metadata.resourceVersion, patched.json.metadata.resourceVersion);
  });

  test('duplicate create is 409 AlreadyExists; missing object is 404 with upstream message', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('dup'));
    const r = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('dup'));
    assert.equal(r.status, 409);
    assert.equal(r.json.reason, 'AlreadyExists');
    assert.equal(r.json.message, 'configmaps "dup" already exists');
    const g = await call(t.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope');
    assert.equal(g.status, 404);
    assert.equal(g.json.message, 'deployments.apps "nope" not found');
    assert.deepEqual(g.json.details, { name: 'nope', group: 'apps', kind: 'deployments' });
    // An apply creates a missing object, but not through a subresource.
    const statusApply = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/nope/status?fieldManager=tester',
      deployment('nope'),
      { 'content-type': 'application/apply-patch+yaml' },
    );
    assert.equal(statusApply.status, 404);
    assert.equal(statusApply.json.message, 'deployments.apps "nope" not found');
    assert.equal((await call(t.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope')).status, 404);
  });

  test('generateName gives a unique name', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } };
    const a = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', body);
    const b = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', body);
    assert.equal(a.status, 201);
    assert.match(a.json.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.json.metadata.name, b.json.metadata.name);
  });

  test('update with a stale resourceVersion is 409 Conflict', async () => {
    const c = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('stale'));
    const u1 = await call(t.url, 'PUT', '/api/v1/namespaces/default/configmaps/stale', {
      ...c.json,
      data: { a: '2' },
    });
    assert.equal(u1.status, 200);
    assert.notEqual(u1.json.metadata.resourceVersion, c.json.metadata.resourceVersion);
    const u2 = await call(t.url, 'PUT', '/api/v1/namespaces/default/configmaps/stale', {
      ...c.json,
      data: { a: '3' },
    });
    assert.equal(u2.status, 409);
    assert.equal(u2.json.reason, 'Conflict');
    assert.match(
      u2.json.message,
      /the object has been modified; please apply your changes to the latest version/,
    );
  });

  test('generation is bumped on spec changes only; status is separate', async () => {
    const c = await call(t.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment('gen'));
    assert.equal(c.json.metadata.generation, 1);
    const p1 = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/gen',
      { metadata: { labels: { x: 'y' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p1.json.metadata.generation, 1);
    const p2 = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/gen',
      { spec: { replicas: 4 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p2.json.metadata.generation, 2);
    // status written through the main resource is ignored…
    const p3 = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/gen',
      { status: { replicas: 9 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p3.json.status?.replicas, undefined);
    // …and taken through the status subresource, without touching spec or generation.
    const p4 = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/gen/status',
      { status: { replicas: 9 }, spec: { replicas: 1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p4.status, 200);
    assert.equal(p4.json.status.replicas, 9);
    assert.equal(p4.json.spec.replicas, 4);
    assert.equal(p4.json.metadata.generation, 2);
  });

  test('scale subresource reads and writes spec.replicas', async () => {
    await call(t.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment('sc', 2));
    const g = await call(t.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/sc/scale');
    assert.equal(g.json.kind, 'Scale');
    assert.equal(g.json.apiVersion, 'autoscaling/v1');
    assert.equal(g.json.spec.replicas, 2);
    assert.equal(g.json.status.selector, 'app=sc');
    const p = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/sc/scale',
      { spec: { replicas: 5 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p.status, 200);
    assert.equal(p.json.spec.replicas, 5);
    const d = await call(t.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/sc');
    assert.equal(d.json.spec.replicas, 5);
    // PUT without a Content-Type, as kubectl scale --current-replicas sends it
    const put = await fetch(`${t.url}/apis/apps/v1/namespaces/default/deployments/sc/scale`, {
      method: 'PUT',
      body: JSON.stringify({
        ...g.json,
        spec: { replicas: 1 },
        metadata: { ...g.json.metadata, resourceVersion: d.json.metadata.resourceVersion },
      }),
    });
    assert.equal(put.status, 200);
    const neg = await call(
      t.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/sc/scale',
      { spec: { replicas: -1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(neg.status, 422);
  });

  test('dryRun=All validates and answers without persisting', async () => {
    const r = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    const g = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/dry');
    assert.equal(g.status, 404);
  });

  test('finalizers keep a deleted object until they are removed', async () => {
    const body = { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } };
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', body);
    const d = await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(d.status, 200);
    const g = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.ok(g.json.metadata.deletionTimestamp);
    const p = await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/fin',
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(p.status, 200);
    const gone = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(gone.status, 404);
  });

  test('pods bound to a node are deleted gracefully; unbound pods at once', async () => {
    const pod = (name: string, nodeName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
    });
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', pod('free'));
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/pods/free');
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/default/pods/free')).status, 404);

    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', pod('bound', 'node-1'));
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/pods/bound', { propagationPolicy: 'Background' });
    const g = await call(t.url, 'GET', '/api/v1/namespaces/default/pods/bound');
    assert.equal(g.status, 200);
    assert.ok(g.json.metadata.deletionTimestamp);
    assert.equal(g.json.metadata.deletionGracePeriodSeconds, 30);
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/pods/bound', { gracePeriodSeconds: 0 });
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
  });

  test('eviction deletes the pod unless a PodDisruptionBudget forbids it (429)', async () => {
    const pod = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'guarded' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', pod('guarded-1'));
    // Pending pods ignore budgets (upstream canIgnorePDB): this one runs.
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/pods/guarded-1/status',
      { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await call(t.url, 'POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guard' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    });
    const eviction = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'guarded-1', namespace: 'default' },
    };
    const refused = await call(t.url, 'POST', '/api/v1/namespaces/default/pods/guarded-1/eviction', eviction);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.reason, 'TooManyRequests');
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/default/pods/guarded-1')).status, 200);
    await call(
      t.url,
      'PATCH',
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard/status',
      {
        status: {
          observedGeneration: 1,
          disruptionsAllowed: 1,
          currentHealthy: 2,
          desiredHealthy: 1,
          expectedPods: 2,
        },
      },
      { 'content-type': 'application/merge-patch+json' },
    );
    const allowed = await call(t.url, 'POST', '/api/v1/namespaces/default/pods/guarded-1/eviction', eviction);
    assert.equal(allowed.status, 201);
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/default/pods/guarded-1')).status, 404);
    // The eviction took the disruption from the budget and recorded it for the disruption controller.
    const pdb = await call(t.url, 'GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard');
    assert.equal(pdb.json.status.disruptionsAllowed, 0);
    assert.ok(pdb.json.status.disruptedPods['guarded-1']);
  });

  test('binding assigns a node once', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'tobind' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    const b = await call(t.url, 'POST', '/api/v1/namespaces/default/pods/tobind/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'tobind' },
      target: { kind: 'Node', name: 'n1' },
    });
    assert.equal(b.status, 201);
    const g = await call(t.url, 'GET', '/api/v1/namespaces/default/pods/tobind');
    assert.equal(g.json.spec.nodeName, 'n1');
    const scheduled = (g.json.status.conditions as { type: string; status: string }[]).find(
      (c) => c.type === 'PodScheduled',
    );
    assert.equal(scheduled?.status, 'True');
    // As upstream, a binding is not a write of the pod's fields by a manager of its own.
    assert.equal(g.json.metadata.managedFields.length, 1);
    const again = await call(t.url, 'POST', '/api/v1/namespaces/default/pods/tobind/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'tobind' },
      target: { kind: 'Node', name: 'n2' },
    });
    assert.equal(again.status, 409);
  });
});

describe('lists', () => {
  test('limit/continue pages through every item exactly once', async () => {
    for (let i = 0; i < 7; i++)
      await call(t.url, 'POST', '/api/v1/namespaces/kube-public/configmaps', cm(`page-${i}`));
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await call(
        t.url,
        'GET',
        `/api/v1/namespaces/kube-public/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      );
      assert.equal(r.status, 200);
      assert.equal(r.json.kind, 'ConfigMapList');
      seen.push(...r.json.items.map((i: any) => i.metadata.name));
      cont = r.json.metadata.continue ?? '';
      pages++;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen.sort(),
      Array.from({ length: 7 }, (_, i) => `page-${i}`),
    );
  });

  test('label and field selectors filter', async () => {
    await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('sel-a', {}, { tier: 'web', env: 'prod' }),
    );
    await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('sel-b', {}, { tier: 'db', env: 'prod' }),
    );
    const names = async (q: string) =>
      (await call(t.url, 'GET', `/api/v1/namespaces/default/configmaps?${q}`)).json.items
        .map((i: any) => i.metadata.name)
        .sort();
    assert.deepEqual(await names('labelSelector=' + encodeURIComponent('tier in (web,db),env=prod')), [
      'sel-a',
      'sel-b',
    ]);
    assert.deepEqual(await names('labelSelector=' + encodeURIComponent('tier!=web,env')), ['sel-b']);
    assert.deepEqual(await names('fieldSelector=' + encodeURIComponent('metadata.name=sel-a')), ['sel-a']);
    const bad = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps?fieldSelector=spec.nope%3Dx');
    assert.equal(bad.status, 400);
    const badLabel = await call(
      t.url,
      'GET',
      '/api/v1/namespaces/default/configmaps?labelSelector=' + encodeURIComponent('a in (b'),
    );
    assert.equal(badLabel.status, 400);
  });

  test("lists by a pod's node and by label pairs match exactly, whatever text the objects hold", async () => {
    const pod = (name: string, nodeName: string, labels: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const ns = '/api/v1/namespaces/kube-public/pods';
    await call(t.url, 'POST', ns, pod('ln-1', 'list-node-1', { app: 'a' }));
    await call(t.url, 'POST', ns, pod('ln-2', 'list-node-2', { app: 'b' }));
    // Holds the text `"nodeName":"list-node-1"` and `"app":"a"` in its labels, yet matches neither selection.
    await call(
      t.url,
      'POST',
      ns,
      pod('ln-3', 'list-node-3', { nodeName: 'list-node-1', tier: 'a', app: 'c' }),
    );
    const names = async (q: string) =>
      (await call(t.url, 'GET', `/api/v1/pods?${q}`)).json.items.map((i: any) => i.metadata.name).sort();
    const field = (f: string) => 'fieldSelector=' + encodeURIComponent(f);
    const label = (l: string) => 'labelSelector=' + encodeURIComponent(l);
    assert.deepEqual(await names(field('spec.nodeName=list-node-1')), ['ln-1']);
    assert.deepEqual(await names(field('spec.nodeName=list-node-2,metadata.namespace=kube-public')), [
      'ln-2',
    ]);
    assert.deepEqual(await names(label('app=a')), ['ln-1']);
    assert.deepEqual(await names(label('app in (b)')), ['ln-2']);
    assert.deepEqual(await names(label('app in (a,b)')), ['ln-1', 'ln-2']);
    assert.deepEqual(await names(`${label('app=c')}&${field('spec.nodeName=list-node-3')}`), ['ln-3']);
    assert.deepEqual(await names(`${label('app=a')}&${field('spec.nodeName=list-node-2')}`), []);
    assert.deepEqual(await names(`${field('spec.nodeName=list-node-1')}&limit=1`), ['ln-1']);
  });

  test('deletecollection deletes what the selector matches, nothing else', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces/kube-public/configmaps', cm('dc-a', {}, { batch: 'one' }));
    await call(t.url, 'POST', '/api/v1/namespaces/kube-public/configmaps', cm('dc-b', {}, { batch: 'one' }));
    await call(t.url, 'POST', '/api/v1/namespaces/kube-public/configmaps', cm('dc-c', {}, { batch: 'two' }));
    const r = await call(
      t.url,
      'DELETE',
      '/api/v1/namespaces/kube-public/configmaps?labelSelector=batch%3Done',
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((i: any) => i.metadata.name).sort(), ['dc-a', 'dc-b']);
    const left = await call(t.url, 'GET', '/api/v1/namespaces/kube-public/configmaps?labelSelector=batch');
    assert.deepEqual(
      left.json.items.map((i: any) => i.metadata.name),
      ['dc-c'],
    );
  });

  test('all-namespace list spans namespaces', async () => {
    const r = await call(t.url, 'GET', '/api/v1/configmaps');
    const namespaces = new Set(r.json.items.map((i: any) => i.metadata.namespace));
    assert.ok(namespaces.has('default') && namespaces.has('kube-public'));
  });
});

describe('watch', () => {
  test('from a list resourceVersion delivers later changes only, with selector transitions', async () => {
    const list = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps');
    const w = await openWatch(
      t.url,
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.json.metadata.resourceVersion}&labelSelector=w%3Dyes`,
    );
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('w1', {}, { w: 'yes' }));
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('w2', {}, { w: 'no' }));
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/w1',
      { data: { b: '2' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/w2',
      { metadata: { labels: { w: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/w1');
    const events = await w.waitFor(4);
    w.close();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED w1', 'MODIFIED w1', 'ADDED w2', 'DELETED w1'],
    );
    assert.equal(events[0].object.kind, 'ConfigMap');
  });

  test('a field selector on name and namespace filters every kind of event', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'fsel-other' } });
    const list = await call(t.url, 'GET', '/api/v1/configmaps');
    const rv = list.json.metadata.resourceVersion;
    const selector = encodeURIComponent('metadata.name=fs-1,metadata.namespace!=fsel-other');
    const w = await openWatch(
      t.url,
      `/api/v1/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=${selector}`,
    );
    const unmatched = await openWatch(
      t.url,
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dnone`,
    );
    await call(t.url, 'POST', '/api/v1/namespaces/fsel-other/configmaps', cm('fs-1'));
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('fs-2'));
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('fs-1'));
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/fs-1',
      { data: { b: '2' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/fs-2');
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/fs-1');
    const events = await w.waitFor(3);
    w.close();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`),
      ['ADDED default/fs-1', 'MODIFIED default/fs-1', 'DELETED default/fs-1'],
    );
    assert.equal(events[1].object.data.b, '2');
    assert.equal(events[0].object.kind, 'ConfigMap');
    assert.ok(
      Number(events[2].object.metadata.resourceVersion) > Number(events[1].object.metadata.resourceVersion),
    );
    unmatched.close();
    assert.deepEqual(unmatched.events, []);
  });

  test("a node's pod watch (spec.nodeName=) sees its pods arrive on binding, change and go, and no others", async () => {
    const pod = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const list = await call(t.url, 'GET', '/api/v1/pods');
    const rv = list.json.metadata.resourceVersion;
    const watchNode = (node: string) =>
      openWatch(t.url, `/api/v1/pods?watch=true&resourceVersion=${rv}&fieldSelector=spec.nodeName%3D${node}`);
    const mine = await watchNode('watch-node-1');
    const other = await watchNode('watch-node-2');
    const unscheduled = await openWatch(
      t.url,
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}&fieldSelector=spec.nodeName%3D`,
    );
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', pod('nw-1'));
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods/nw-1/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'nw-1' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'watch-node-1' },
    });
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/default/pods/nw-1/status',
      { status: { phase: 'Running' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/pods/nw-1', { gracePeriodSeconds: 0 });
    const events = await mine.waitFor(3);
    const before = await unscheduled.waitFor(2);
    mine.close();
    unscheduled.close();
    other.close();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.spec.nodeName}`),
      ['ADDED nw-1 watch-node-1', 'MODIFIED nw-1 watch-node-1', 'DELETED nw-1 watch-node-1'],
    );
    assert.equal(events[1].object.status.phase, 'Running');
    // The unscheduled pods' watch saw the pod created, then leave its selection when bound.
    assert.deepEqual(
      before.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED nw-1', 'DELETED nw-1'],
    );
    assert.deepEqual(other.events, []);
  });

  test('resourceVersion=0 starts with synthetic ADDED events; timeoutSeconds ends the stream', async () => {
    const w = await openWatch(t.url, '/api/v1/namespaces?watch=true&resourceVersion=0&timeoutSeconds=1');
    await w.ended;
    const names = w.events.map((e) => e.object.metadata.name);
    assert.ok(names.includes('default') && names.includes('kube-system'));
    assert.ok(w.events.every((e) => e.type === 'ADDED'));
  });

  test('a too-old resourceVersion answers an ERROR event with 410 Expired', async () => {
    const small = await startTestServer({ watchCacheSize: 5 });
    for (let i = 0; i < 10; i++)
      await call(small.url, 'POST', '/api/v1/namespaces/default/configmaps', cm(`old-${i}`));
    const w = await openWatch(
      small.url,
      '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1',
    );
    await small.close();
    await w.ended;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
  });

  test('Table watch sends column definitions in the first event only', async () => {
    const list = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps');
    const w = await openWatch(
      t.url,
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`,
      { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    );
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('tw1'));
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('tw2'));
    const events = await w.waitFor(2);
    w.close();
    assert.equal(events[0].object.kind, 'Table');
    assert.ok(events[0].object.columnDefinitions.length > 0);
    assert.deepEqual(events[1].object.columnDefinitions, []);
    assert.equal(events[1].object.rows[0].object.metadata.name, 'tw2');
  });
});

describe('namespaces and services', () => {
  test('objects in a missing namespace are refused; deleting a namespace removes its content', async () => {
    const missing = await call(t.url, 'POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'namespaces "nope" not found');
    await call(t.url, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'doomed' },
    });
    await call(t.url, 'POST', '/api/v1/namespaces/doomed/configmaps', cm('inside'));
    await call(t.url, 'POST', '/apis/apps/v1/namespaces/doomed/deployments', deployment('inside'));
    const d = await call(t.url, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(d.status, 200);
    for (let i = 0; i < 100; i++) {
      if ((await call(t.url, 'GET', '/api/v1/namespaces/doomed')).status === 404) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/doomed')).status, 404);
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/doomed/configmaps/inside')).status, 404);
    assert.equal(
      (await call(t.url, 'GET', '/apis/apps/v1/namespaces/doomed/deployments/inside')).status,
      404,
    );
  });

  test('a Terminating namespace refuses new content until it is gone', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'closing' },
    });
    assert.equal(
      (await call(t.url, 'POST', '/api/v1/namespaces/closing/configmaps', cm('before'))).status,
      201,
    );
    // A finalizer keeps one object, and so the namespace, around while it terminates.
    await call(t.url, 'POST', '/api/v1/namespaces/closing/configmaps', {
      ...cm('held'),
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    await call(t.url, 'DELETE', '/api/v1/namespaces/closing');
    const refused = await call(t.url, 'POST', '/api/v1/namespaces/closing/configmaps', cm('after'));
    assert.equal(refused.status, 403);
    assert.match(refused.json.message, /because it is being terminated/);
    await call(
      t.url,
      'PATCH',
      '/api/v1/namespaces/closing/configmaps/held',
      { metadata: { finalizers: null } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    for (let i = 0; i < 100; i++) {
      if ((await call(t.url, 'GET', '/api/v1/namespaces/closing')).status === 404) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await call(t.url, 'GET', '/api/v1/namespaces/closing')).status, 404);
    assert.equal(
      (await call(t.url, 'POST', '/api/v1/namespaces/closing/configmaps', cm('later'))).status,
      404,
    );
  });

  test('the kubernetes service holds the first service IP; services get addresses and node ports', async () => {
    const k = await call(t.url, 'GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.equal(k.json.spec.clusterIP, '10.43.0.1');
    const svc = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec,
    });
    const a = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/services',
      svc('np', { type: 'NodePort', ports: [{ port: 80 }] }),
    );
    assert.equal(a.status, 201);
    assert.match(a.json.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    const np = a.json.spec.ports[0].nodePort;
    assert.ok(np >= 30000 && np <= 32767);
    const clash = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/services',
      svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: np }] }),
    );
    assert.equal(clash.status, 422);
    assert.match(clash.json.message, /provided port is already allocated/);
    const ipClash = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/services',
      svc('ip2', { clusterIP: a.json.spec.clusterIP, ports: [{ port: 80 }] }),
    );
    assert.equal(ipClash.status, 422);
    // released on delete
    await call(t.url, 'DELETE', '/api/v1/namespaces/default/services/np');
    const reuse = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/services',
      svc('np3', { type: 'NodePort', clusterIP: a.json.spec.clusterIP, ports: [{ port: 80, nodePort: np }] }),
    );
    assert.equal(reuse.status, 201);
  });
});

describe('http surface', () => {
  test('health and version answer; unknown paths are 404 Status', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await call(t.url, 'GET', p);
      assert.equal(r.status, 200);
      assert.equal(r.text, 'ok');
    }
    const v = await call(t.url, 'GET', '/version');
    assert.equal(v.json.minor, '32');
    const nf = await call(t.url, 'GET', '/apis/nope.example.com/v1/things');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.kind, 'Status');
  });

  test('aggregated discovery is negotiated on Accept', async () => {
    const v2 = await call(t.url, 'GET', '/apis', undefined, {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    assert.match(String(v2.headers['content-type']), /v=v2;as=APIGroupDiscoveryList/);
    const apps = v2.json.items.find((i: any) => i.metadata.name === 'apps');
    const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    assert.deepEqual(deploy.shortNames, ['deploy']);
    assert.ok(
      deploy.subresources.some((s: any) => s.subresource === 'scale' && s.responseKind.kind === 'Scale'),
    );
    const beta = await call(t.url, 'GET', '/api', undefined, {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
    });
    assert.equal(beta.json.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    const legacy = await call(t.url, 'GET', '/apis');
    assert.equal(legacy.json.kind, 'APIGroupList');
    const core = await call(t.url, 'GET', '/api/v1');
    assert.ok(core.json.resources.some((r: any) => r.name === 'pods/eviction' && r.group === 'policy'));
  });

  test('bad input gets precise 4xx Status errors', async () => {
    const malformed = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion":', {
      'content-type': 'application/json',
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.reason, 'BadRequest');
    const wrongType = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', 'x', {
      'content-type': 'text/plain',
    });
    assert.equal(wrongType.status, 415);
    const wrongKind = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'k' },
    });
    assert.equal(wrongKind.status, 400);
    const longName = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('x'.repeat(300)));
    assert.equal(longName.status, 422);
    assert.equal(longName.json.details.causes[0].field, 'metadata.name');
    const badLabel = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('bl', {}, { 'bad key!': 'v' }),
    );
    assert.equal(badLabel.status, 422);
    const huge = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('huge', { a: 'x'.repeat(4 * 1024 * 1024) }),
    );
    assert.equal(huge.status, 413);
    const yaml = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\n',
      { 'content-type': 'application/yaml' },
    );
    assert.equal(yaml.status, 201);
  });
});
