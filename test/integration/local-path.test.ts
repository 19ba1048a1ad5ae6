import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { startApiServer } from '../../src/apiserver/index.js';
import { Informer, R, type ApiClient, type Stoppable } from '../../src/client/index.js';
import {
  localPathProvisionerController,
  persistentVolumeBinderController,
} from '../../src/controllers/volume/index.js';
import { ephemeralVolumeController } from '../../src/controllers/ephemeralvolume/index.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { LocalPathCleaner } from '../../src/kubelet/volumes/local-path-cleaner.js';
import { runScheduler } from '../../src/scheduler/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { adminAuthenticator } from '../helpers/api-server.js';
import { waitUntilGone } from '../helpers/gone.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import {
  pvcProtectionController,
  pvProtectionController,
} from '../../src/controllers/storageprotection/index.js';

let cluster: TestCluster;
let client: ApiClient;
let scheduler: Stoppable;
let kubelets: Informer<Pod>;
let cleaner: LocalPathCleaner;
let tmp: string;
/** node-a's agent publishes this directory; node-b has none, so the provisioner's option applies. */
let dirA: string;
let fallbackDir: string;

const pvs = () => client.resource<PersistentVolume>(R.persistentVolumes);
const pvcs = () => client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
const pods = () => client.resource<Pod>(R.pods);

async function addNode(name: string): Promise<void> {
  const nodes = client.resource<Node>(R.nodes);
  await nodes.create({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
  const resources = { cpu: '4', memory: '8Gi', pods: '110' };
  await nodes.patch(
    '',
    name,
    'merge',
    { status: { capacity: resources, allocatable: resources } },
    { subresource: 'status' },
  );
}

/** Stands in for the kubelets: assigned pods run; graceful deletions finish at once. */
function fakeKubelets(): Informer<Pod> {
  const informer = new Informer<Pod>(pods());
  const handle = (p: Pod): void => {
    const ns = p.metadata?.namespace ?? '';
    const name = p.metadata?.name ?? '';
    if (p.metadata?.deletionTimestamp) {
      void pods()
        .delete(ns, name, { gracePeriodSeconds: 0 })
        .catch(() => undefined);
    } else if (p.spec?.nodeName && p.status?.phase !== 'Running') {
      void pods()
        .patch(ns, name, 'merge', { status: { phase: 'Running' } }, { subresource: 'status' })
        .catch(() => undefined);
    }
  };
  informer.addEventHandler({ add: handle, update: (_, p) => handle(p) });
  informer.start();
  return informer;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), `tugboat-local-path-${process.pid}-`));
  dirA = join(tmp, 'a', 'storage');
  fallbackDir = join(tmp, 'server', 'storage');
  cluster = await startTestCluster(
    {
      'persistentvolume-binder': persistentVolumeBinderController,
      'local-path-provisioner': localPathProvisionerController,
      'ephemeral-volume-controller': ephemeralVolumeController,
      'garbage-collector': garbageCollectorController,
      'pvc-protection': pvcProtectionController,
      'pv-protection': pvProtectionController,
    },
    { options: { localPathDir: fallbackDir, pvClaimBinderSyncPeriodMs: 500 } },
  );
  client = cluster.client;
  await addNode('node-a');
  await addNode('node-b');
  cleaner = new LocalPathCleaner({ client, nodeName: 'node-a', hostname: 'node-a', dir: dirA, retryMs: 200 });
  cleaner.start();
  await waitFor(
    async () =>
      (await client.resource<Node>(R.nodes).get('', 'node-a')).metadata?.annotations?.[
        'tugboat.dev/local-path-dir'
      ] === dirA,
    { message: 'node-a publishes its local-path directory' },
  );
  scheduler = runScheduler({
    client: { server: cluster.server.url },
    leaderElect: false,
    logger: silentLogger,
  });
  kubelets = fakeKubelets();
});

after(async () => {
  kubelets.stop();
  cleaner.stop();
  await scheduler.stop();
  await cluster.close();
  rmSync(tmp, { recursive: true, force: true });
});

function claim(name: string, storageClassName?: string): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '2Gi' } },
      ...(storageClassName === undefined ? {} : { storageClassName }),
    },
  };
}

function podWith(name: string, claimName: string, node?: string): Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
      ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
    },
  };
}

const scheduledTo = (name: string): Promise<string> =>
  waitFor(async () => (await pods().get('default', name)).spec?.nodeName, {
    message: `pod ${name} scheduled`,
  });

async function deletePod(name: string): Promise<void> {
  await pods().delete('default', name);
  await waitUntilGone(() => pods().get('default', name), `pod ${name} gone`);
}

async function unschedulableMessage(name: string): Promise<string> {
  return waitFor(
    async () => {
      const p = await pods().get('default', name);
      const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
      return c?.message;
    },
    { message: `pod ${name} reported unschedulable` },
  );
}

test('the default local-path StorageClass exists and claims without a class get it', async () => {
  const sc = await client.resource<StorageClass>(R.storageClasses).get('', 'local-path');
  assert.equal(sc.provisioner, 'tugboat.dev/local-path');
  assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');

  assert.equal((await pvcs().create(claim('defaulted'))).spec?.storageClassName, 'local-path');
  assert.equal((await pvcs().create(claim('no-class', ''))).spec?.storageClassName, '');
  assert.equal((await pvcs().create(claim('manual', 'manual'))).spec?.storageClassName, 'manual');
});

test('a pod with a new claim: node recorded on the claim, a PV provisioned there, bound; data stays on that node', async () => {
  const created = await pvcs().create(claim('data'));
  const uid = created.metadata?.uid ?? '';
  await pods().create(podWith('writer', 'data', 'node-a'));
  assert.equal(await scheduledTo('writer'), 'node-a');

  const bound = await waitFor(
    async () => {
      const c = await pvcs().get('default', 'data');
      return c.status?.phase === 'Bound' ? c : undefined;
    },
    { message: 'claim bound' },
  );
  assert.equal(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'node-a');
  assert.equal(bound.spec?.volumeName, `pvc-${uid}`);
  const pv = await pvs().get('', `pvc-${uid}`);
  const path = join(dirA, `${uid}_default_data`);
  assert.equal(pv.spec?.local?.path, path);
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] },
  ]);
  assert.deepEqual(pv.spec?.capacity, { storage: '2Gi' });
  assert.deepEqual(pv.spec?.accessModes, ['ReadWriteOnce']);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv.spec?.storageClassName, 'local-path');
  assert.equal(pv.spec?.claimRef?.uid, uid);
  assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'tugboat.dev/local-path');
  await waitFor(async () => (await pvs().get('', `pvc-${uid}`)).status?.phase === 'Bound', {
    message: 'volume bound',
  });
  // What the kubelet does when it mounts the volume.
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'file'), 'kept');

  await deletePod('writer');
  await pods().create(podWith('reader', 'data'));
  assert.equal(await scheduledTo('reader'), 'node-a');
  assert.equal((await pvcs().get('default', 'data')).spec?.volumeName, `pvc-${uid}`);

  await pods().create(podWith('elsewhere', 'data', 'node-b'));
  assert.match(await unschedulableMessage('elsewhere'), /volume node affinity conflict/);
  await deletePod('elsewhere');
  await deletePod('reader');

  // Deleting the claim releases the volume; node-a's agent removes the directory and the PV.
  await pvcs().delete('default', 'data');
  await waitFor(
    async () => {
      try {
        await pvs().get('', `pvc-${uid}`);
        return false;
      } catch (err) {
        return hasReason(err, 'NotFound');
      }
    },
    { message: 'provisioned volume deleted', timeoutMs: 15_000 },
  );
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(dirA), true);
});

test('a node that publishes no directory gets volumes under the provisioner default', async () => {
  const created = await pvcs().create(claim('on-b'));
  await pods().create(podWith('b-user', 'on-b', 'node-b'));
  assert.equal(await scheduledTo('b-user'), 'node-b');
  const pv = await waitFor(
    async () => {
      try {
        return await pvs().get('', `pvc-${created.metadata?.uid ?? ''}`);
      } catch {
        return undefined;
      }
    },
    { message: 'volume provisioned on node-b' },
  );
  assert.equal(pv.spec?.local?.path, join(fallbackDir, `${created.metadata?.uid ?? ''}_default_on-b`));
  await deletePod('b-user');
});

test('a generic ephemeral volume: its claim is made for the pod, provisioned on its node, and deleted with it', async () => {
  await pods().create({
    metadata: { name: 'scratch', namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      nodeSelector: { 'kubernetes.io/hostname': 'node-a' },
      volumes: [
        {
          name: 'data',
          ephemeral: {
            volumeClaimTemplate: {
              metadata: { labels: { kind: 'scratch' } },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          },
        },
      ],
    },
  });
  const pod = await pods().get('default', 'scratch');
  assert.equal(await scheduledTo('scratch'), 'node-a');
  const bound = await waitFor(
    async () => {
      const c = await pvcs().get('default', 'scratch-data');
      return c.status?.phase === 'Bound' ? c : undefined;
    },
    { message: 'the ephemeral claim bound' },
  );
  assert.deepEqual(bound.metadata?.labels, { kind: 'scratch' });
  assert.equal(bound.spec?.storageClassName, 'local-path');
  assert.deepEqual(bound.metadata?.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'scratch',
      uid: pod.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'node-a');

  await deletePod('scratch');
  await waitUntilGone(() => pvcs().get('default', 'scratch-data'), 'the claim goes with its pod');

  // A claim of that name the pod did not make is not taken over.
  await pvcs().create(claim('squatter-data'));
  await pods().create({
    metadata: { name: 'squatter', namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [
        {
          name: 'data',
          ephemeral: {
            volumeClaimTemplate: {
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          },
        },
      ],
    },
  });
  assert.equal(
    await unschedulableMessage('squatter'),
    '0/2 nodes are available: persistentvolumeclaim "squatter-data" was not created for the pod. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  );
  await deletePod('squatter');
  await pvcs().delete('default', 'squatter-data');
});

test('an unbound claim of an Immediate class keeps the pod unscheduled', async () => {
  await client.resource<StorageClass>(R.storageClasses).create({
    metadata: { name: 'immediate' },
    provisioner: 'example.com/none',
    volumeBindingMode: 'Immediate',
  });
  await pvcs().create(claim('now', 'immediate'));
  await pods().create(podWith('waiting', 'now'));
  assert.match(await unschedulableMessage('waiting'), /pod has unbound immediate PersistentVolumeClaims/);
  await deletePod('waiting');
});

test("bootstrap creates the default class only when missing: a user's edits survive another API server starting", async () => {
  const classes = client.resource<StorageClass>(R.storageClasses);
  const edited = await classes.patch('', 'local-path', 'merge', {
    metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
  });
  const second = await startApiServer({
    bindAddress: '127.0.0.1',
    port: 0,
    authenticator: adminAuthenticator,
    store: cluster.server.store,
    serviceCIDR: '10.43.0.0/16',
  });
  try {
    const after = await classes.get('', 'local-path');
    assert.equal(after.metadata?.resourceVersion, edited.metadata?.resourceVersion);
    assert.equal(after.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'false');
    // No default class any more: new claims keep no class.
    assert.equal((await pvcs().create(claim('classless'))).spec?.storageClassName, undefined);
  } finally {
    await second.close();
  }
});
