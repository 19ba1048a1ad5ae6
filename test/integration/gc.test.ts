import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { hasReason } from '../../src/api/errors.js';
import type { KubeObject, OwnerReference } from '../../src/api/meta.js';
import { R, type ResourceClient, type ResourceType } from '../../src/client/index.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster({ 'garbage-collector': garbageCollectorController });
});
after(async () => {
  await cluster.close();
});

const res = (t: ResourceType): ResourceClient<KubeObject> => cluster.client.resource<KubeObject>(t);

function refTo(owner: KubeObject, block = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: block,
  };
}

async function deployment(name: string, ns = 'default'): Promise<KubeObject> {
  return res(R.deployments).create({
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
}

async function replicaSet(name: string, owners: OwnerReference[] = [], ns = 'default'): Promise<KubeObject> {
  return res(R.replicaSets).create({
    metadata: { name, namespace: ns, ownerReferences: owners },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
}

async function pod(
  name: string,
  owners: OwnerReference[],
  opts: { ns?: string; finalizers?: string[] } = {},
): Promise<KubeObject> {
  return res(R.pods).create({
    metadata: {
      name,
      namespace: opts.ns ?? 'default',
      ownerReferences: owners,
      ...(opts.finalizers ? { finalizers: opts.finalizers } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
}

async function gone(t: ResourceType, ns: string, name: string): Promise<boolean> {
  try {
    await res(t).get(ns, name);
    return false;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return true;
    throw err;
  }
}

test('background: the owner goes at once, the garbage collector deletes its dependents', async () => {
  const rs = await replicaSet('bg');
  await pod('bg-1', [refTo(rs)]);
  await pod('bg-2', [refTo(rs)]);
  await res(R.replicaSets).delete('default', 'bg', { propagationPolicy: 'Background' });
  assert.ok(await gone(R.replicaSets, 'default', 'bg'));
  await waitFor(
    async () => (await gone(R.pods, 'default', 'bg-1')) && (await gone(R.pods, 'default', 'bg-2')),
  );
});

test('a dependent with another living owner keeps that owner and loses the dead one', async () => {
  const a = await replicaSet('two-a');
  const b = await replicaSet('two-b');
  await pod('two-owners', [refTo(a), { ...refTo(b), controller: false }]);
  await res(R.replicaSets).delete('default', 'two-a');
  const p = await waitFor(async () => {
    const cur = await res(R.pods).get('default', 'two-owners');
    return cur.metadata?.ownerReferences?.length === 1 ? cur : undefined;
  });
  assert.equal(p.metadata?.ownerReferences?.[0]?.uid, b.metadata?.uid);
});

test('foreground: the owner stays with foregroundDeletion until blocking dependents are gone', async () => {
  const rs = await replicaSet('fg');
  await pod('fg-held', [refTo(rs)], { finalizers: ['example.com/hold'] });
  await pod('fg-free', [refTo(rs)]);
  await res(R.replicaSets).delete('default', 'fg', { propagationPolicy: 'Foreground' });
  const owner = await res(R.replicaSets).get('default', 'fg');
  assert.ok(owner.metadata?.deletionTimestamp);
  assert.deepEqual(owner.metadata?.finalizers, ['foregroundDeletion']);
  // The held pod is being deleted but cannot go yet; the owner waits for it.
  const held = await waitFor(async () => {
    const p = await res(R.pods).get('default', 'fg-held');
    return p.metadata?.deletionTimestamp ? p : undefined;
  });
  await waitFor(() => gone(R.pods, 'default', 'fg-free'));
  const waiting = await res(R.replicaSets).get('default', 'fg');
  assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
  await res(R.pods).update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
  await waitFor(() => gone(R.replicaSets, 'default', 'fg'));
  assert.ok(await gone(R.pods, 'default', 'fg-held'));
});

test('orphan: dependents stay without the ownerReference, then the owner goes', async () => {
  const rs = await replicaSet('orph');
  await pod('orph-1', [refTo(rs)]);
  await res(R.replicaSets).delete('default', 'orph', { propagationPolicy: 'Orphan' });
  await waitFor(() => gone(R.replicaSets, 'default', 'orph'));
  const p = await res(R.pods).get('default', 'orph-1');
  assert.equal(p.metadata?.ownerReferences, undefined);
  assert.equal(p.metadata?.deletionTimestamp, undefined);
});

test('a dependent whose owner never existed is collected', async () => {
  await pod('ghost-child', [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: randomUUID(), controller: true },
  ]);
  await waitFor(() => gone(R.pods, 'default', 'ghost-child'));
});

test('three levels cascade: Deployment → ReplicaSet → Pod, in the background and in the foreground', async () => {
  for (const policy of ['Background', 'Foreground'] as const) {
    const name = `chain-${policy.toLowerCase()}`;
    const d = await deployment(name);
    const rs = await replicaSet(`${name}-rs`, [refTo(d)]);
    await pod(`${name}-pod`, [refTo(rs)]);
    await res(R.deployments).delete('default', name, { propagationPolicy: policy });
    await waitFor(
      async () =>
        (await gone(R.deployments, 'default', name)) &&
        (await gone(R.replicaSets, 'default', `${name}-rs`)) &&
        (await gone(R.pods, 'default', `${name}-pod`)),
      { message: `${policy} cascade` },
    );
  }
});

test('foreground over three levels keeps each owner until the level below is gone', async () => {
  const d = await deployment('fg3');
  const rs = await replicaSet('fg3-rs', [refTo(d)]);
  const held = await pod('fg3-pod', [refTo(rs)], { finalizers: ['example.com/hold'] });
  await res(R.deployments).delete('default', 'fg3', { propagationPolicy: 'Foreground' });
  // Foreground propagates: the ReplicaSet is deleted in the foreground too and waits for its pod.
  await waitFor(async () => {
    const cur = await res(R.replicaSets).get('default', 'fg3-rs');
    return cur.metadata?.deletionTimestamp && cur.metadata.finalizers?.includes('foregroundDeletion');
  });
  await waitFor(async () => !!(await res(R.pods).get('default', 'fg3-pod')).metadata?.deletionTimestamp);
  assert.ok((await res(R.deployments).get('default', 'fg3')).metadata?.deletionTimestamp);
  const latest = await res(R.pods).get('default', 'fg3-pod');
  await res(R.pods).update({ ...latest, metadata: { ...latest.metadata, finalizers: [] } });
  assert.equal(held.metadata?.name, 'fg3-pod');
  await waitFor(
    async () =>
      (await gone(R.deployments, 'default', 'fg3')) && (await gone(R.replicaSets, 'default', 'fg3-rs')),
  );
});

test('a namespaced owner in another namespace does not hold a dependent: collected, with an event', async () => {
  await res(R.namespaces).create({ metadata: { name: 'gc-other' } });
  const rs = await replicaSet('elsewhere');
  await pod('cross-ns', [refTo(rs)], { ns: 'gc-other' });
  await waitFor(() => gone(R.pods, 'gc-other', 'cross-ns'));
  assert.ok(!(await gone(R.replicaSets, 'default', 'elsewhere')));
  await waitFor(async () => {
    const events = await res(R.events).list('gc-other');
    return events.items.some(
      (e) =>
        e.reason === 'OwnerRefInvalidNamespace' &&
        (e.involvedObject as { name?: string }).name === 'cross-ns',
    );
  });
});

test('a cluster-scoped dependent of a namespaced owner is never collected, and an event says why', async () => {
  const rs = await replicaSet('cluster-owner');
  const clusterRoles: ResourceType = {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
  };
  await res(clusterRoles).create({
    metadata: { name: 'gc-cluster-dep', ownerReferences: [refTo(rs)] },
    rules: [],
  });
  await res(R.replicaSets).delete('default', 'cluster-owner');
  await waitFor(async () => {
    const events = await res(R.events).list('default');
    return events.items.some(
      (e) =>
        e.reason === 'OwnerRefInvalidNamespace' &&
        (e.involvedObject as { name?: string }).name === 'gc-cluster-dep',
    );
  });
  assert.ok(!(await gone(clusterRoles, '', 'gc-cluster-dep')));
});
