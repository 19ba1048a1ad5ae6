import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Event, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../../src/api/pods.js';
import { Informer, R, type ApiClient } from '../../src/client/index.js';
import { newStatefulSetController } from '../../src/controllers/statefulset/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubectl, kubectlBinary } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: ApiClient;
let stopKubelet: () => void;
/** Pods the stand-in kubelet starts but never reports Ready. */
const neverReady = new Set<string>();

before(async () => {
  cluster = await startTestCluster({ statefulset: newStatefulSetController });
  client = cluster.client;
  stopKubelet = simulateKubelet(client, { ready: (p) => !neverReady.has(p.metadata?.name ?? '') });
});
after(async () => {
  stopKubelet();
  await cluster.close();
});

const sets = () => client.resource<StatefulSet>(R.statefulSets);
const pods = () => client.resource<Pod>(R.pods);
const claims = () => client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);

function statefulSet(name: string, opts: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
      },
      ...opts,
    },
  };
}

async function setPods(name: string): Promise<Pod[]> {
  const list = await pods().list('default', { labelSelector: `app=${name}` });
  return list.items;
}

async function podNames(name: string): Promise<string[]> {
  return (await setPods(name))
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

async function rolledOut(name: string, replicas: number): Promise<StatefulSet | undefined> {
  const s = await sets().get('default', name);
  const st = s.status;
  const done =
    (st?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 1) &&
    st?.readyReplicas === replicas &&
    st.replicas === replicas &&
    st.updatedReplicas === replicas &&
    st.currentRevision === st.updateRevision;
  return done ? s : undefined;
}

test('OrderedReady: web-0..2 created one at a time, each after its predecessor is Ready', async () => {
  const order: string[] = [];
  const informer = new Informer<Pod>(pods(), { namespace: 'default', labelSelector: 'app=web' });
  informer.addEventHandler({
    add: (p) => order.push(`add ${p.metadata?.name}`),
    update: (old, cur) => {
      if (!isPodReady(old) && isPodReady(cur)) order.push(`ready ${cur.metadata?.name}`);
    },
  });
  informer.start();
  await informer.waitForSync();
  await sets().create(statefulSet('web'));
  await waitFor(() => rolledOut('web', 3), { message: 'web rolled out' });
  informer.stop();
  const created = order.filter((e) => e.startsWith('add '));
  assert.deepEqual(created, ['add web-0', 'add web-1', 'add web-2']);
  assert.ok(order.indexOf('ready web-0') < order.indexOf('add web-1'), order.join(', '));
  assert.ok(order.indexOf('ready web-1') < order.indexOf('add web-2'), order.join(', '));

  const web1 = await pods().get('default', 'web-1');
  assert.equal(web1.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(web1.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.equal(web1.spec?.hostname, 'web-1');
  assert.equal(web1.spec?.subdomain, 'web');
  assert.equal(web1.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
  const status = (await sets().get('default', 'web')).status!;
  assert.equal(web1.metadata?.labels?.['controller-revision-hash'], status.updateRevision);
  const revision = await client
    .resource<ControllerRevision>(R.controllerRevisions)
    .get('default', status.updateRevision ?? '');
  assert.equal(revision.revision, 1);
  assert.equal(status.availableReplicas, 3);

  const events = await client.resource<Event>(R.events).list('default');
  const messages = events.items
    .filter((e) => e.involvedObject.name === 'web' && e.reason === 'SuccessfulCreate')
    .map((e) => e.message);
  assert.ok(messages.includes('create Pod web-0 in StatefulSet web successful'), messages.join('; '));
});

test('scale down removes pods from the highest ordinal, one at a time', async () => {
  const deleted: string[] = [];
  const informer = new Informer<Pod>(pods(), { namespace: 'default', labelSelector: 'app=web' });
  informer.addEventHandler({
    update: (old, cur) => {
      if (!old.metadata?.deletionTimestamp && cur.metadata?.deletionTimestamp)
        deleted.push(`${cur.metadata.name}`);
    },
    delete: (p) => deleted.push(`gone ${p.metadata?.name}`),
  });
  informer.start();
  await informer.waitForSync();
  await sets().patch('default', 'web', 'merge', { spec: { replicas: 1 } });
  await waitFor(() => rolledOut('web', 1), { message: 'web scaled to 1' });
  await waitFor(() => deleted.includes('gone web-1'));
  informer.stop();
  assert.deepEqual(
    deleted.filter((d) => !d.startsWith('gone')),
    ['web-2', 'web-1'],
  );
  // web-1 is only asked to terminate once web-2 is gone.
  assert.ok(deleted.indexOf('gone web-2') < deleted.indexOf('web-1'), deleted.join(', '));
  assert.deepEqual(await podNames('web'), ['web-0']);
  await sets().delete('default', 'web');
});

test('volumeClaimTemplates: claims made before the pod, kept across pod deletion and scale down', async () => {
  await sets().create(
    statefulSet('db', {
      replicas: 2,
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    }),
  );
  await waitFor(() => rolledOut('db', 2), { message: 'db rolled out' });
  const names = (await claims().list('default')).items.map((c) => c.metadata?.name).sort();
  assert.deepEqual(names, ['data-db-0', 'data-db-1']);
  const claim = await claims().get('default', 'data-db-0');
  assert.equal(claim.metadata?.labels?.app, 'db');
  const db0 = await pods().get('default', 'db-0');
  assert.deepEqual(db0.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, {
    claimName: 'data-db-0',
  });
  assert.ok(
    Date.parse(claim.metadata?.creationTimestamp ?? '') <= Date.parse(db0.metadata?.creationTimestamp ?? ''),
  );

  // A deleted pod comes back with the same name and the same claim.
  const oldUid = db0.metadata?.uid;
  await pods().delete('default', 'db-0');
  const back = await waitFor(async () => {
    const p = await pods()
      .get('default', 'db-0')
      .catch(() => undefined);
    return p && p.metadata?.uid !== oldUid && isPodReady(p) ? p : undefined;
  });
  assert.equal(
    back.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName,
    'data-db-0',
  );
  assert.equal((await claims().get('default', 'data-db-0')).metadata?.uid, claim.metadata?.uid);

  await sets().patch('default', 'db', 'merge', { spec: { replicas: 1 } });
  await waitFor(async () => (await podNames('db')).join() === 'db-0' && (await rolledOut('db', 1)));
  assert.ok(await claims().get('default', 'data-db-1'), 'claim of the removed ordinal is retained');
  await sets().delete('default', 'db');
});

test('a failed pod is deleted and recreated with the same name', async () => {
  await sets().create(statefulSet('fail', { replicas: 1 }));
  await waitFor(() => rolledOut('fail', 1));
  const first = await pods().get('default', 'fail-0');
  await pods().patch(
    'default',
    'fail-0',
    'merge',
    { status: { phase: 'Failed' } },
    { subresource: 'status' },
  );
  await waitFor(async () => {
    const p = await pods()
      .get('default', 'fail-0')
      .catch(() => undefined);
    return p && p.metadata?.uid !== first.metadata?.uid && isPodReady(p);
  });
  const events = await client.resource<Event>(R.events).list('default');
  assert.ok(events.items.some((e) => e.involvedObject.name === 'fail' && e.reason === 'RecreatingFailedPod'));
  await sets().delete('default', 'fail');
});

test('rolling update with a partition only replaces ordinals at or above it, highest first', async () => {
  await sets().create(
    statefulSet('part', {
      replicas: 3,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
    }),
  );
  const initial = await waitFor(() => rolledOut('part', 3));
  const oldRevision = initial.status?.currentRevision;
  const replaced: string[] = [];
  const informer = new Informer<Pod>(pods(), { namespace: 'default', labelSelector: 'app=part' });
  informer.addEventHandler({
    update: (old, cur) => {
      if (!old.metadata?.deletionTimestamp && cur.metadata?.deletionTimestamp)
        replaced.push(`${cur.metadata.name}`);
    },
  });
  informer.start();
  await informer.waitForSync();
  await sets().patch('default', 'part', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } },
  });
  const updated = await waitFor(async () => {
    const s = await sets().get('default', 'part');
    const st = s.status;
    return st?.updatedReplicas === 2 && st.readyReplicas === 3 && st.updateRevision !== oldRevision
      ? s
      : undefined;
  });
  informer.stop();
  assert.deepEqual(replaced, ['part-2', 'part-1']);
  const byName = new Map((await setPods('part')).map((p) => [p.metadata?.name, p]));
  assert.equal(byName.get('part-0')?.spec?.containers[0]?.image, 'nginx:1.27');
  assert.equal(byName.get('part-1')?.spec?.containers[0]?.image, 'nginx:1.28');
  assert.equal(byName.get('part-2')?.spec?.containers[0]?.image, 'nginx:1.28');
  assert.equal(updated.status?.currentRevision, oldRevision);
  assert.equal(byName.get('part-0')?.metadata?.labels?.['controller-revision-hash'], oldRevision);

  // Lowering the partition to 0 finishes the rollout and makes the update revision current.
  await sets().patch('default', 'part', 'merge', {
    spec: { updateStrategy: { rollingUpdate: { partition: 0 } } },
  });
  const done = await waitFor(() => rolledOut('part', 3));
  assert.equal(done.status?.currentRevision, updated.status?.updateRevision);
  assert.equal((await pods().get('default', 'part-0')).spec?.containers[0]?.image, 'nginx:1.28');
  await sets().delete('default', 'part');
});

test('OnDelete: pods keep the old template until deleted', async () => {
  await sets().create(statefulSet('ondel', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
  await waitFor(() => rolledOut('ondel', 2));
  await sets().patch('default', 'ondel', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } },
  });
  const s = await waitFor(async () => {
    const cur = await sets().get('default', 'ondel');
    return cur.status?.observedGeneration === cur.metadata?.generation &&
      cur.status?.updateRevision !== cur.status?.currentRevision
      ? cur
      : undefined;
  });
  assert.equal(s.status?.updatedReplicas, 0);
  assert.equal((await pods().get('default', 'ondel-1')).spec?.containers[0]?.image, 'nginx:1.27');
  await pods().delete('default', 'ondel-1');
  await waitFor(async () => {
    const p = await pods()
      .get('default', 'ondel-1')
      .catch(() => undefined);
    return p?.spec?.containers[0]?.image === 'nginx:1.28' && isPodReady(p);
  });
  assert.equal((await pods().get('default', 'ondel-0')).spec?.containers[0]?.image, 'nginx:1.27');
  await waitFor(async () => (await sets().get('default', 'ondel')).status?.updatedReplicas === 1);
  await sets().delete('default', 'ondel');
});

test('Parallel creates all pods without waiting for readiness', async () => {
  for (const n of ['par-0', 'par-1', 'par-2']) neverReady.add(n);
  await sets().create(statefulSet('par', { podManagementPolicy: 'Parallel' }));
  // None of them becomes Ready, yet all three exist: nothing waited for a predecessor.
  await waitFor(async () => (await podNames('par')).length === 3);
  assert.deepEqual(await podNames('par'), ['par-0', 'par-1', 'par-2']);
  const st = await waitFor(async () => {
    const s = await sets().get('default', 'par');
    return s.status?.replicas === 3 ? s.status : undefined;
  });
  assert.equal(st.readyReplicas, 0);
  await sets().delete('default', 'par');
});

test('kubectl rollout status statefulset/x completes after an update', async (t) => {
  if (!existsSync(kubectlBinary())) return t.skip('kubectl is not installed');
  await sets().create(statefulSet('ro', { replicas: 2 }));
  const env = { KUBECONFIG: cluster.server.kubeconfig };
  await sets().patch('default', 'ro', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } },
  });
  const res = await kubectl(['rollout', 'status', 'statefulset/ro', '--timeout=60s'], { env });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /partitioned roll out complete|roll out complete/);
  const st = (await sets().get('default', 'ro')).status;
  assert.equal(st?.currentRevision, st?.updateRevision);
  await sets().delete('default', 'ro');
});

test('an orphan pod with a matching name and labels is adopted, not replaced', async () => {
  const orphan = await pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'adopt-0', namespace: 'default', labels: { app: 'adopt' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  });
  // OnDelete: a rolling update would replace the adopted pod, which carries no revision label.
  await sets().create(statefulSet('adopt', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
  await waitFor(async () => (await sets().get('default', 'adopt')).status?.readyReplicas === 2);
  const adopted = await pods().get('default', 'adopt-0');
  assert.equal(adopted.metadata?.uid, orphan.metadata?.uid);
  const ref = adopted.metadata?.ownerReferences?.find((r) => r.controller);
  assert.equal(ref?.name, 'adopt');
  assert.equal(ref?.kind, 'StatefulSet');
  // The adopted pod gets the identity labels it lacked.
  const labelled = await waitFor(async () => {
    const p = await pods().get('default', 'adopt-0');
    return p.metadata?.labels?.['statefulset.kubernetes.io/pod-name'] ? p : undefined;
  });
  assert.equal(labelled.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'adopt-0');
  assert.equal(labelled.metadata?.labels?.['apps.kubernetes.io/pod-index'], '0');
  await sets().delete('default', 'adopt');
});

test('identity labels edited away come back, other labels stay', async () => {
  await sets().create(statefulSet('ident', { replicas: 2 }));
  await waitFor(async () => (await sets().get('default', 'ident')).status?.readyReplicas === 2);
  const before = await pods().get('default', 'ident-1');
  await pods().patch('default', 'ident-1', 'merge', {
    metadata: {
      labels: {
        'statefulset.kubernetes.io/pod-name': 'wrong',
        'apps.kubernetes.io/pod-index': null,
        extra: 'kept',
      },
    },
  });
  const repaired = await waitFor(async () => {
    const p = await pods().get('default', 'ident-1');
    const l = p.metadata?.labels ?? {};
    return l['statefulset.kubernetes.io/pod-name'] === 'ident-1' && l['apps.kubernetes.io/pod-index'] === '1'
      ? p
      : undefined;
  });
  assert.equal(repaired.metadata?.uid, before.metadata?.uid, 'repaired in place, not replaced');
  assert.equal(repaired.metadata?.labels?.extra, 'kept');
  const events = (await client.resource<Event>(R.events).list('default')).items;
  assert.ok(
    events.some(
      (e) =>
        e.reason === 'SuccessfulUpdate' && e.message === 'update Pod ident-1 in StatefulSet ident successful',
    ),
  );
  await sets().delete('default', 'ident');
});

test('persistentVolumeClaimRetentionPolicy Delete hands claims to the set, and to the pod on scale down', async () => {
  await sets().create(
    statefulSet('ret', {
      replicas: 2,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    }),
  );
  const set = await waitFor(() => rolledOut('ret', 2));
  const claim0 = await claims().get('default', 'data-ret-0');
  assert.deepEqual(
    claim0.metadata?.ownerReferences?.map((r) => [r.kind, r.uid]),
    [['StatefulSet', set.metadata?.uid]],
  );
  const ret1 = await pods().get('default', 'ret-1');
  await sets().patch('default', 'ret', 'merge', { spec: { replicas: 1 } });
  const claim1 = await waitFor(async () => {
    const c = await claims().get('default', 'data-ret-1');
    return c.metadata?.ownerReferences?.some((r) => r.kind === 'Pod') ? c : undefined;
  });
  assert.deepEqual(
    claim1.metadata?.ownerReferences?.map((r) => [r.kind, r.uid]),
    [['Pod', ret1.metadata?.uid]],
  );
  await sets().delete('default', 'ret');
});

test('minReadySeconds: pods count as available once Ready long enough', async () => {
  await sets().create(statefulSet('slow', { replicas: 2, minReadySeconds: 1 }));
  const st = await waitFor(
    async () => {
      const s = (await sets().get('default', 'slow')).status;
      return s?.availableReplicas === 2 ? s : undefined;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(st.readyReplicas, 2);
  await sets().delete('default', 'slow');
});
