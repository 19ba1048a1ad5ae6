import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { ApiError, hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { disruptionController } from '../../src/controllers/disruption/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;
let stopKubelet: () => void;

before(async () => {
  cluster = await startTestCluster({ disruption: disruptionController });
  client = cluster.client;
  stopKubelet = simulateKubelet(client, { ready: (p) => p.metadata?.labels?.ready !== 'no' });
});
after(async () => {
  stopKubelet();
  await cluster.close();
});

const pdbs = () => client.resource<PodDisruptionBudget>(R.podDisruptionBudgets);
const pods = () => client.resource<Pod>(R.pods);

async function makePods(
  app: string,
  n: number,
  extra: Partial<Pod['metadata']> = {},
  unready = 0,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    await pods().create({
      metadata: {
        name: `${app}-${i}`,
        namespace: 'default',
        ...extra,
        labels: { app, ...(i < unready ? { ready: 'no' } : {}) },
      },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
  }
  await waitFor(async () => {
    const list = await pods().list('default', { labelSelector: `app=${app}` });
    return list.items.filter((p) => p.status?.phase === 'Running').length === n;
  });
}

async function makePdb(name: string, spec: PodDisruptionBudget['spec']): Promise<void> {
  await pdbs().create({ metadata: { name, namespace: 'default' }, spec });
}

/** Waits until the controller has written a status for the current generation and it satisfies `check`. */
async function statusOf(
  name: string,
  check: (s: NonNullable<PodDisruptionBudget['status']>) => boolean = () => true,
): Promise<NonNullable<PodDisruptionBudget['status']>> {
  return waitFor(
    async () => {
      const pdb = await pdbs().get('default', name);
      const s = pdb.status;
      return s && s.observedGeneration === pdb.metadata?.generation && check(s) ? s : undefined;
    },
    { message: `status of ${name}` },
  );
}

async function replicaSet(name: string, replicas: number): Promise<ReplicaSet> {
  return client.resource<ReplicaSet>(R.replicaSets).create({
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
}

function ownedBy(rs: ReplicaSet): Partial<Pod['metadata']> {
  return {
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: rs.metadata?.name ?? '',
        uid: rs.metadata?.uid ?? '',
        controller: true,
      },
    ],
  };
}

function evict(name: string): Promise<unknown> {
  return pods().createSubresource('default', name, 'eviction', {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace: 'default' },
  });
}

test('minAvailable: status numbers, eviction takes a disruption, then refusals with the budget cause', async () => {
  await makePods('web', 3);
  await makePdb('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
  const s = await statusOf('web', (x) => x.currentHealthy === 3);
  assert.equal(s.expectedPods, 3);
  assert.equal(s.desiredHealthy, 2);
  assert.equal(s.disruptionsAllowed, 1);
  const cond = s.conditions?.find((c) => c.type === 'DisruptionAllowed');
  assert.equal(cond?.status, 'True');
  assert.equal(cond?.reason, 'SufficientPods');

  await evict('web-0');
  // The eviction took the one allowed disruption; after the pod is gone the controller agrees.
  const after = await statusOf(
    'web',
    (x) => x.currentHealthy === 2 && x.disruptionsAllowed === 0 && !x.disruptedPods,
  );
  assert.equal(after.conditions?.find((c) => c.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');

  const refused = await evict('web-1').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(hasReason(refused, 'TooManyRequests'));
  const causes = (refused as ApiError).status.details?.causes ?? [];
  assert.deepEqual(causes, [
    {
      reason: 'DisruptionBudget',
      message: 'The disruption budget web needs 2 healthy pods and has 2 currently',
    },
  ]);
  await pods().get('default', 'web-1');
});

test('an unready pod may be evicted while the budget is healthy', async () => {
  await makePods('mixed', 3, {}, 1);
  await makePdb('mixed', { minAvailable: 1, selector: { matchLabels: { app: 'mixed' } } });
  const s = await statusOf('mixed', (x) => x.expectedPods === 3);
  assert.equal(s.currentHealthy, 2);
  assert.equal(s.disruptionsAllowed, 1);
  await evict('mixed-0');
  // No disruption was charged for the unready pod.
  const pdb = await pdbs().get('default', 'mixed');
  assert.equal(pdb.status?.disruptedPods?.['mixed-0'], undefined);
});

test('maxUnavailable and percentages count the controller scale', async () => {
  const rs = await replicaSet('scaled', 4);
  await makePods('scaled', 3, ownedBy(rs), 1);
  await makePdb('scaled', { maxUnavailable: '50%', selector: { matchLabels: { app: 'scaled' } } });
  const s = await statusOf('scaled', (x) => x.expectedPods === 4 && x.currentHealthy === 2);
  assert.equal(s.desiredHealthy, 2);
  assert.equal(s.disruptionsAllowed, 0);

  await makePdb('scaled-min', { minAvailable: '25%', selector: { matchLabels: { app: 'scaled' } } });
  const m = await statusOf('scaled-min', (x) => x.expectedPods === 4);
  assert.equal(m.desiredHealthy, 1);
  assert.equal(m.disruptionsAllowed, 1);

  // Scaling the owner changes the expectation.
  const cur = await client.resource<ReplicaSet>(R.replicaSets).get('default', 'scaled');
  await client.resource<ReplicaSet>(R.replicaSets).update({ ...cur, spec: { ...cur.spec!, replicas: 2 } });
  const scaled = await statusOf('scaled', (x) => x.expectedPods === 2);
  assert.equal(scaled.desiredHealthy, 1);
  assert.equal(scaled.disruptionsAllowed, 1);
});

test('a pod whose controller cannot be found fails safe for percentage budgets', async () => {
  await makePods('orphan', 1, {
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'nope', controller: true },
    ],
  });
  await makePdb('orphan', { maxUnavailable: 1, selector: { matchLabels: { app: 'orphan' } } });
  const s = await statusOf('orphan');
  assert.equal(s.disruptionsAllowed, 0);
  const cond = s.conditions?.find((c) => c.type === 'DisruptionAllowed');
  assert.equal(cond?.reason, 'SyncFailed');
  assert.equal(cond?.message, 'found no controllers for pod "orphan-0"');
});
