import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DaemonSet, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { Informer, R, type ApiClient } from '../../src/client/index.js';
import { disruptionController } from '../../src/controllers/disruption/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { expectOk, kubectl } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: ApiClient;
const stops: (() => void)[] = [];

before(async () => {
  cluster = await startTestCluster({ disruption: disruptionController });
  client = cluster.client;
  // Pods created without a node land on node-b; those created on node-a stay there.
  stops.push(simulateKubelet(client, { nodeName: 'node-b' }));
});
after(async () => {
  for (const stop of stops) stop();
  await cluster.close();
});

const k = (args: string[]) =>
  kubectl(args, { env: { KUBECONFIG: cluster.server.kubeconfig }, timeoutMs: 90_000 });

function ref(kind: string, obj: { metadata?: { name?: string; uid?: string } }): OwnerReference {
  const apiVersion = 'apps/v1';
  return { apiVersion, kind, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid ?? '', controller: true };
}

const podSpec = (extra: Partial<Pod['spec']> = {}) => ({
  containers: [{ name: 'c', image: 'busybox' }],
  ...extra,
});

/** Stands in for the ReplicaSet controller: keeps `replicas` live pods of `rs` (replacements go to node-b). */
function keepReplicas(rs: ReplicaSet, replicas: number): () => void {
  const pods = client.resource<Pod>(R.pods);
  const informer = new Informer<Pod>(pods, { namespace: 'default', labelSelector: 'app=web' });
  let n = 100;
  const check = (): void => {
    const live = informer.list().filter((p) => !p.metadata?.deletionTimestamp);
    for (let i = live.length; i < replicas; i++) {
      void pods
        .create({
          metadata: {
            name: `web-${n++}`,
            namespace: 'default',
            labels: { app: 'web' },
            ownerReferences: [ref('ReplicaSet', rs)],
          },
          spec: podSpec(),
        })
        .catch(() => {});
    }
  };
  informer.addEventHandler({ update: check, delete: check });
  informer.start();
  return () => informer.stop();
}

test('kubectl cordon, drain (retrying evictions a budget refuses) and uncordon', async () => {
  for (const name of ['node-a', 'node-b'])
    await client.resource<Node>(R.nodes).create({ metadata: { name } });
  const rs = await client.resource<ReplicaSet>(R.replicaSets).create({
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec() },
    },
  });
  const ds = await client.resource<DaemonSet>(R.daemonSets).create({
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: podSpec() },
    },
  });
  const pods = client.resource<Pod>(R.pods);
  for (const i of [0, 1]) {
    await pods.create({
      metadata: {
        name: `web-${i}`,
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [ref('ReplicaSet', rs)],
      },
      spec: podSpec({ nodeName: 'node-a' }),
    });
  }
  await pods.create({
    metadata: {
      name: 'agent-a',
      namespace: 'default',
      labels: { app: 'agent' },
      ownerReferences: [ref('DaemonSet', ds)],
    },
    spec: podSpec({ nodeName: 'node-a' }),
  });
  await pods.create({
    metadata: {
      name: 'scratch',
      namespace: 'default',
      labels: { app: 'scratch' },
      ownerReferences: [ref('ReplicaSet', rs)],
    },
    spec: podSpec({ nodeName: 'node-a', volumes: [{ name: 'tmp', emptyDir: {} }] }),
  });
  await client.resource<PodDisruptionBudget>(R.podDisruptionBudgets).create({
    metadata: { name: 'web', namespace: 'default' },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
  });
  // Both web pods must stay up: at first no disruption is allowed at all.
  await waitFor(async () => {
    const pdb = await client.resource<PodDisruptionBudget>(R.podDisruptionBudgets).get('default', 'web');
    return pdb.status?.currentHealthy === 2;
  });
  stops.push(keepReplicas(rs, 3));
  // A third replica on node-b lets the budget allow one disruption at a time.
  await pods.create({
    metadata: {
      name: 'web-2',
      namespace: 'default',
      labels: { app: 'web' },
      ownerReferences: [ref('ReplicaSet', rs)],
    },
    spec: podSpec(),
  });

  expectOk(await k(['cordon', 'node-a']), 'cordon');
  assert.equal((await client.resource<Node>(R.nodes).get('', 'node-a')).spec?.unschedulable, true);

  const drained = expectOk(
    await k(['drain', 'node-a', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']),
    'drain',
  );
  assert.match(drained.stdout, /node\/node-a drained/);
  assert.match(drained.stdout, /evicting pod default\/web-[01]/);
  assert.match(drained.stdout, /pod\/scratch evicted/);
  const left = (await pods.list('default')).items.filter((p) => p.spec?.nodeName === 'node-a');
  assert.deepEqual(
    left.map((p) => p.metadata?.name),
    ['agent-a'],
  );

  expectOk(await k(['uncordon', 'node-a']), 'uncordon');
  assert.ok(!(await client.resource<Node>(R.nodes).get('', 'node-a')).spec?.unschedulable);
});
