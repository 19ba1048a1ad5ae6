/**
 * StorageObjectInUseProtection: claims and volumes get their protection finalizers at create; a claim being
 * deleted stays while a scheduled pod (running or finished) uses it and goes with the last such pod; a volume
 * being deleted stays while it is Bound; a finalizer taken away from a live object is put back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import {
  pvcProtectionController,
  pvProtectionController,
} from '../../src/controllers/storageprotection/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({
    'pvc-protection': pvcProtectionController,
    'pv-protection': pvProtectionController,
  });
  client = cluster.client;
  await client.resource(R.namespaces).create({ metadata: { name: 'store' } });
});
after(() => cluster.close());

const claims = () => client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
const pods = () => client.resource<Pod>(R.pods);
const volumes = () => client.resource<PersistentVolume>(R.persistentVolumes);

async function claim(name: string): Promise<PersistentVolumeClaim> {
  return claims().create({
    metadata: { name, namespace: 'store' },
    spec: {
      storageClassName: 'manual',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    },
  });
}

function podUsing(name: string, claimName: string, nodeName?: string): Pod {
  return {
    metadata: { name, namespace: 'store' },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

const gone = (read: () => Promise<unknown>, message: string) =>
  waitFor(
    () =>
      read().then(
        () => false,
        (e: unknown) => hasReason(e, 'NotFound'),
      ),
    { message },
  );

/** Gives the controller time to act wrongly: the object must still be there, being deleted. */
async function stillTerminating(
  read: () => Promise<{ metadata?: { deletionTimestamp?: string } }>,
): Promise<void> {
  await new Promise((r) => setTimeout(r, 500));
  assert.ok((await read()).metadata?.deletionTimestamp, 'still there, being deleted');
}

test('claims and volumes get their protection finalizers when created', async () => {
  const c = await claim('finalized');
  assert.deepEqual(c.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = await volumes().create({
    metadata: { name: 'finalized', finalizers: ['example.com/keep'] },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/unused' } },
  });
  assert.deepEqual(pv.metadata?.finalizers, ['example.com/keep', 'kubernetes.io/pv-protection']);
  await volumes().patch('', 'finalized', 'json', [{ op: 'remove', path: '/metadata/finalizers/0' }]);
  await volumes().delete('', 'finalized');
  await gone(() => volumes().get('', 'finalized'), 'an unbound volume goes at once');
});

test('a claim in use by a scheduled pod stays until the pod is gone', async () => {
  await claim('in-use');
  await pods().create(podUsing('user', 'in-use', 'node-a'));
  await claims().delete('store', 'in-use');
  await stillTerminating(() => claims().get('store', 'in-use'));
  await pods().delete('store', 'user', { gracePeriodSeconds: 0 });
  await gone(() => claims().get('store', 'in-use'), 'the claim goes with its last pod');
});

test('a finished pod still holds its claim; an unscheduled one does not', async () => {
  await claim('finished');
  await pods().create(podUsing('done', 'finished', 'node-a'));
  await pods().patch('store', 'done', 'merge', { status: { phase: 'Succeeded' } }, { subresource: 'status' });
  await claims().delete('store', 'finished');
  await stillTerminating(() => claims().get('store', 'finished'));
  await pods().delete('store', 'done', { gracePeriodSeconds: 0 });
  await gone(() => claims().get('store', 'finished'), 'the claim goes once the finished pod is deleted');

  await claim('pending');
  await pods().create(podUsing('waiting', 'pending'));
  await claims().delete('store', 'pending');
  await gone(() => claims().get('store', 'pending'), 'a pod not yet scheduled holds nothing');
});

test('a volume stays while it is bound and goes once released', async () => {
  await volumes().create({
    metadata: { name: 'bound' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/unused' } },
  });
  await volumes().patch('', 'bound', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  await volumes().delete('', 'bound');
  await stillTerminating(() => volumes().get('', 'bound'));
  await volumes().patch('', 'bound', 'merge', { status: { phase: 'Released' } }, { subresource: 'status' });
  await gone(() => volumes().get('', 'bound'), 'a released volume goes');
});

test('a protection finalizer taken away from a live claim is put back', async () => {
  await claim('bare');
  await claims().patch('store', 'bare', 'merge', { metadata: { finalizers: null } });
  await waitFor(
    async () =>
      (await claims().get('store', 'bare')).metadata?.finalizers?.includes('kubernetes.io/pvc-protection'),
    { message: 'the finalizer is back' },
  );
});
