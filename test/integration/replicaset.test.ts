import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { controllerOf } from '../../src/api/owners.js';
import { isPodActive } from '../../src/api/pods.js';
import { Informer, R } from '../../src/client/index.js';
import {
  replicaSetControllerFactory,
  replicationControllerFactory,
} from '../../src/controllers/replicaset/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let stopKubelet: () => void;

before(async () => {
  cluster = await startTestCluster({
    replicaset: replicaSetControllerFactory,
    replicationcontroller: replicationControllerFactory,
  });
  stopKubelet = simulateKubelet(cluster.client);
});
after(async () => {
  stopKubelet();
  await cluster.close();
});

const rsClient = () => cluster.client.resource<ReplicaSet>(R.replicaSets);
const podClient = () => cluster.client.resource<Pod>(R.pods);

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

async function activePods(app: string): Promise<Pod[]> {
  const list = await podClient().list('default', { labelSelector: `app=${app}` });
  return list.items.filter(isPodActive);
}

test('ReplicaSet creates and deletes pods to match replicas, with status and events', async () => {
  const created = await rsClient().create(replicaSet('web', 3));
  const rs = await waitFor(async () => {
    const r = await rsClient().get('default', 'web');
    return r.status?.readyReplicas === 3 && r.status.availableReplicas === 3 ? r : undefined;
  });
  assert.equal(rs.status?.replicas, 3);
  assert.equal(rs.status?.fullyLabeledReplicas, 3);
  assert.equal(rs.status?.observedGeneration, rs.metadata?.generation);
  const pods = await activePods('web');
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
    const ref = controllerOf(p);
    assert.equal(ref?.uid, created.metadata?.uid);
    assert.equal(ref?.kind, 'ReplicaSet');
  }
  const events = await waitFor(async () => {
    const list = await cluster.client.resource<Event>(R.events).list('default');
    const mine = list.items.filter((e) => e.involvedObject.name === 'web' && e.reason === 'SuccessfulCreate');
    return mine.length === 3 ? mine : undefined;
  });
  assert.ok(events.every((e) => /^Created pod: web-/.test(e.message ?? '')));

  await rsClient().patch('default', 'web', 'merge', { spec: { replicas: 1 } });
  await waitFor(async () => (await activePods('web')).length === 1);
  await waitFor(async () => (await rsClient().get('default', 'web')).status?.replicas === 1);
});

test('a deleted pod is replaced', async () => {
  await rsClient().create(replicaSet('replace', 2));
  const [first] = await waitFor(async () => {
    const pods = await activePods('replace');
    return pods.length === 2 ? pods : undefined;
  });
  await podClient().delete('default', first!.metadata!.name!);
  await waitFor(async () => {
    const pods = await activePods('replace');
    return pods.length === 2 && !pods.some((p) => p.metadata?.uid === first!.metadata?.uid);
  });
});

test('adopts a matching orphan and releases a relabeled pod', async () => {
  await podClient().create({
    metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  const rs = await rsClient().create(replicaSet('adopt', 2));
  await waitFor(async () => {
    const orphan = await podClient().get('default', 'orphan');
    return controllerOf(orphan)?.uid === rs.metadata?.uid;
  });
  await waitFor(async () => (await activePods('adopt')).length === 2);

  await podClient().patch('default', 'orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
  await waitFor(async () => controllerOf(await podClient().get('default', 'orphan')) === undefined);
  // The RS makes up for the released pod.
  await waitFor(async () => (await activePods('adopt')).length === 2);
  await podClient().delete('default', 'orphan', { gracePeriodSeconds: 0 });
});

test('never has more than replicas pods while pods churn', async () => {
  const seen = new Set<string>();
  let maxActive = 0;
  const watcher = new Informer<Pod>(podClient(), { namespace: 'default', labelSelector: 'app=burst' });
  const count = (): void => {
    const active = watcher.list().filter(isPodActive);
    for (const p of active) seen.add(p.metadata?.name ?? '');
    maxActive = Math.max(maxActive, active.length);
  };
  watcher.addEventHandler({ add: count, update: count, delete: count });
  watcher.start();
  await watcher.waitForSync();

  await rsClient().create(replicaSet('burst', 10));
  await waitFor(async () => (await activePods('burst')).length === 10, { timeoutMs: 20_000 });
  // Relabel pods (releases) and touch the RS at the same time: events arrive interleaved.
  const pods = await activePods('burst');
  await Promise.all([
    ...pods.slice(0, 3).map((p) => podClient().delete('default', p.metadata!.name!)),
    rsClient().patch('default', 'burst', 'merge', { metadata: { annotations: { touch: '1' } } }),
    rsClient().patch('default', 'burst', 'merge', { spec: { replicas: 8 } }),
  ]);
  await waitFor(async () => (await activePods('burst')).length === 8, { timeoutMs: 20_000 });
  await waitFor(async () => (await rsClient().get('default', 'burst')).status?.replicas === 8);
  watcher.stop();
  assert.ok(maxActive <= 10, `saw ${maxActive} active pods`);
});

test('ReplicationController keeps its replicas too', async () => {
  const rcs = cluster.client.resource<ReplicationController>(R.replicationControllers);
  await rcs.create({
    metadata: { name: 'legacy', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { app: 'legacy' },
      template: {
        metadata: { labels: { app: 'legacy' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
  const rc = await waitFor(async () => {
    const r = await rcs.get('default', 'legacy');
    return r.status?.readyReplicas === 2 ? r : undefined;
  });
  assert.equal(rc.status?.replicas, 2);
  const pods = await activePods('legacy');
  assert.ok(pods.every((p) => controllerOf(p)?.kind === 'ReplicationController'));
});
