import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { persistentVolumeBinderController } from '../../src/controllers/volume/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import {
  pvcProtectionController,
  pvProtectionController,
} from '../../src/controllers/storageprotection/index.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({
    'persistentvolume-binder': persistentVolumeBinderController,
    'pvc-protection': pvcProtectionController,
    'pv-protection': pvProtectionController,
  });
  client = cluster.client;
});
after(() => cluster.close());

const pvs = () => client.resource<PersistentVolume>(R.persistentVolumes);
const pvcs = () => client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);

function pv(
  name: string,
  size: string,
  extra: Partial<PersistentVolume['spec']> = {},
  labels: Record<string, string> = {},
): PersistentVolume {
  return {
    metadata: { name, labels },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: `/tmp/${name}` },
      storageClassName: 'manual',
      ...extra,
    },
  };
}

function pvc(
  name: string,
  size: string,
  extra: Partial<PersistentVolumeClaim['spec']> = {},
): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName: 'manual',
      ...extra,
    },
  };
}

async function boundClaim(name: string): Promise<PersistentVolumeClaim> {
  return waitFor(
    async () => {
      const c = await pvcs().get('default', name);
      return c.status?.phase === 'Bound' ? c : undefined;
    },
    { message: `claim ${name} bound` },
  );
}

async function phaseOf(name: string, phase: string): Promise<PersistentVolume> {
  return waitFor(
    async () => {
      const v = await pvs().get('', name);
      return v.status?.phase === phase ? v : undefined;
    },
    { message: `volume ${name} ${phase}` },
  );
}

test('a claim binds to the smallest volume that fits; deleting it releases (Retain) the volume', async () => {
  await pvs().create(pv('big', '10Gi'));
  await pvs().create(pv('small', '1Gi'));
  await pvs().create(pv('fits', '5Gi'));
  await pvs().create(pv('wrong-mode', '3Gi', { accessModes: ['ReadOnlyMany'] }));
  await pvs().create(pv('other-class', '3Gi', { storageClassName: 'fast' }));
  await pvs().create(pv('block', '3Gi', { volumeMode: 'Block' }));
  await phaseOf('fits', 'Available');

  await pvcs().create(pvc('data', '2Gi'));
  const claim = await boundClaim('data');
  assert.equal(claim.spec?.volumeName, 'fits');
  assert.equal(claim.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.deepEqual(claim.status?.capacity, { storage: '5Gi' });
  assert.deepEqual(claim.status?.accessModes, ['ReadWriteOnce']);
  const volume = await phaseOf('fits', 'Bound');
  assert.equal(volume.spec?.claimRef?.name, 'data');
  assert.equal(volume.spec?.claimRef?.uid, claim.metadata?.uid);

  await pvcs().delete('default', 'data');
  const released = await phaseOf('fits', 'Released');
  assert.equal(released.spec?.claimRef?.name, 'data');
  // A released volume is not handed to the next claim.
  await pvcs().create(pvc('next', '4Gi'));
  const next = await boundClaim('next');
  assert.equal(next.spec?.volumeName, 'big');
});

test('selector and pre-bound volumes; Delete reclaim policy deletes the volume', async () => {
  await pvs().create(pv('labelled', '2Gi', { storageClassName: 'sel' }, { tier: 'gold' }));
  await pvs().create(pv('unlabelled', '1Gi', { storageClassName: 'sel' }));
  await pvcs().create(
    pvc('picky', '1Gi', { storageClassName: 'sel', selector: { matchLabels: { tier: 'gold' } } }),
  );
  assert.equal((await boundClaim('picky')).spec?.volumeName, 'labelled');

  await pvs().create(
    pv('reserved', '1Gi', {
      storageClassName: 'pre',
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { namespace: 'default', name: 'owner' },
    }),
  );
  await pvs().create(pv('spare', '1Gi', { storageClassName: 'pre' }));
  await pvcs().create(pvc('owner', '1Gi', { storageClassName: 'pre' }));
  assert.equal((await boundClaim('owner')).spec?.volumeName, 'reserved');

  await pvcs().delete('default', 'owner');
  await waitFor(
    () =>
      pvs()
        .get('', 'reserved')
        .then(
          () => false,
          (e: unknown) => hasReason(e, 'NotFound'),
        ),
    { message: 'Delete-policy volume deleted' },
  );
});

test('no volume and no class: Pending with FailedBinding; a class with a provisioner is asked', async () => {
  await pvcs().create(pvc('nothing', '1Gi', { storageClassName: '' }));
  await client.resource<StorageClass>(R.storageClasses).create({
    metadata: { name: 'local' },
    provisioner: 'rancher.io/local-path',
    volumeBindingMode: 'Immediate',
  });
  await pvcs().create(pvc('dynamic', '1Gi', { storageClassName: 'local' }));
  const events = client.resource<Event>(R.events);
  await waitFor(
    async () =>
      (await events.list('default')).items.some(
        (e) =>
          e.involvedObject.name === 'nothing' &&
          e.reason === 'FailedBinding' &&
          e.message === 'no persistent volumes available for this claim and no storage class is set',
      ),
    { message: 'FailedBinding event' },
  );
  const dyn = await waitFor(async () => {
    const c = await pvcs().get('default', 'dynamic');
    return c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] ? c : undefined;
  });
  assert.equal(
    dyn.metadata?.annotations?.['volume.beta.kubernetes.io/storage-provisioner'],
    'rancher.io/local-path',
  );
  assert.equal((await pvcs().get('default', 'nothing')).status?.phase, 'Pending');
  await waitFor(async () =>
    (await events.list('default')).items.some(
      (e) => e.involvedObject.name === 'dynamic' && e.reason === 'ExternalProvisioning',
    ),
  );
});

test('WaitForFirstConsumer waits for a scheduled pod, then binds a volume its node can reach', async () => {
  await client.resource<StorageClass>(R.storageClasses).create({
    metadata: { name: 'wffc' },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  await client
    .resource<Node>(R.nodes)
    .create({ metadata: { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } } });
  const onNode = (node: string): PersistentVolume['spec'] => ({
    storageClassName: 'wffc',
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
        ],
      },
    },
  });
  await pvs().create(pv('on-n1', '1Gi', onNode('n1')));
  await pvs().create(pv('on-n2', '1Gi', onNode('n2')));
  await phaseOf('on-n2', 'Available');
  await pvcs().create(pvc('late', '1Gi', { storageClassName: 'wffc' }));
  await waitFor(async () =>
    (await client.resource<Event>(R.events).list('default')).items.some(
      (e) => e.involvedObject.name === 'late' && e.reason === 'WaitForFirstConsumer',
    ),
  );
  assert.equal((await pvcs().get('default', 'late')).spec?.volumeName, undefined);

  await client.resource<Pod>(R.pods).create({
    metadata: { name: 'consumer', namespace: 'default' },
    spec: {
      nodeName: 'n2',
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late' } }],
    },
  });
  const bound = await boundClaim('late');
  assert.equal(bound.spec?.volumeName, 'on-n2');
  assert.equal(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'n2');
});
