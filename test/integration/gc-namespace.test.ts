import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import { R } from '../../src/client/index.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { namespaceController } from '../../src/controllers/namespace/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

// The namespace controller (with the garbage collector), taking over from the API server's fallback because a
// controller-manager holds its lease.
let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster({
    namespace: namespaceController,
    'garbage-collector': garbageCollectorController,
  });
  const now = new Date().toISOString().replace('Z', '000Z');
  await cluster.client.resource(R.leases).create({
    metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
    spec: { holderIdentity: 'test', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
  });
});
after(async () => {
  await cluster.close();
});

const namespaces = () => cluster.client.resource<Namespace>(R.namespaces);

async function nsGone(name: string): Promise<boolean> {
  try {
    await namespaces().get('', name);
    return false;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return true;
    throw err;
  }
}

test('deleting a namespace deletes its content, then the namespace', async () => {
  await namespaces().create({ metadata: { name: 'doomed' } });
  await cluster.client.resource(R.configMaps).create({ metadata: { name: 'cm', namespace: 'doomed' } });
  await cluster.client.resource(R.jobs).create({
    metadata: { name: 'job', namespace: 'doomed' },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    },
  });
  await namespaces().delete('', 'doomed');
  await waitFor(() => nsGone('doomed'), { timeoutMs: 20_000 });
  const cms = await cluster.client.resource(R.configMaps).list('doomed');
  assert.equal(cms.items.length, 0);
});

test('content held by a finalizer keeps the namespace, with conditions saying why', async () => {
  await namespaces().create({ metadata: { name: 'held' } });
  const cms = cluster.client.resource<KubeObject>(R.configMaps);
  await cms.create({ metadata: { name: 'sticky', namespace: 'held', finalizers: ['example.com/hold'] } });
  await namespaces().delete('', 'held');
  const ns = await waitFor(
    async () => {
      const cur = await namespaces().get('', 'held');
      const c = cur.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining');
      return c?.status === 'True' ? cur : undefined;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(ns.status?.phase, 'Terminating');
  const byType = new Map((ns.status?.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(
    byType.get('NamespaceFinalizersRemaining')?.message,
    'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
  );
  assert.equal(byType.get('NamespaceContentRemaining')?.reason, 'SomeResourcesRemain');
  assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.status, 'False');
  assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);

  const sticky = await cms.get('held', 'sticky');
  await cms.update({ ...sticky, metadata: { ...sticky.metadata, finalizers: [] } });
  await waitFor(() => nsGone('held'), { timeoutMs: 20_000 });
});

test('namespaces/finalize removes spec finalizers; ordinary updates cannot', async () => {
  await namespaces().create({ metadata: { name: 'fin' } });
  const ns = await namespaces().get('', 'fin');
  const updated = await namespaces().update({ ...ns, spec: { finalizers: [] } });
  assert.deepEqual(updated.spec?.finalizers, ['kubernetes']);
  const finalized = await namespaces().updateSubresource<Namespace>('', 'fin', 'finalize', {
    ...updated,
    spec: { finalizers: [] },
  });
  assert.deepEqual(finalized.spec?.finalizers ?? [], []);
  await namespaces().delete('', 'fin');
  await waitFor(() => nsGone('fin'));
});
