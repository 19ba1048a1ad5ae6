import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { R } from '../../src/client/index.js';
import { deploymentControllerFactory } from '../../src/controllers/deployment/index.js';
import { replicaSetControllerFactory } from '../../src/controllers/replicaset/index.js';
import { FakeClock } from '../../src/util/clock.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const clock = new FakeClock();
let cluster: TestCluster;
let stopKubelet: () => void;

before(async () => {
  cluster = await startTestCluster(
    { replicaset: replicaSetControllerFactory, deployment: deploymentControllerFactory },
    { clock },
  );
  stopKubelet = simulateKubelet(cluster.client, { clock });
});
after(async () => {
  stopKubelet();
  await cluster.close();
});

const template = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

test('ready pods count as available only after minReadySeconds', async () => {
  const rss = cluster.client.resource<ReplicaSet>(R.replicaSets);
  await rss.create({
    metadata: { name: 'slow', namespace: 'default' },
    spec: {
      replicas: 2,
      minReadySeconds: 30,
      selector: { matchLabels: { app: 'slow' } },
      template: template('slow'),
    },
  });
  const before = await waitFor(async () => {
    const rs = await rss.get('default', 'slow');
    return rs.status?.readyReplicas === 2 ? rs : undefined;
  });
  assert.equal(before.status?.availableReplicas ?? 0, 0);

  clock.advance(31_000);
  // The controller wakes itself after minReadySeconds of real time; a touch makes it look now.
  await rss.patch('default', 'slow', 'merge', { metadata: { annotations: { touch: '1' } } });
  await waitFor(async () => (await rss.get('default', 'slow')).status?.availableReplicas === 2);
});

test('a Deployment becomes Available once its pods have been ready for minReadySeconds', async () => {
  const deployments = cluster.client.resource<Deployment>(R.deployments);
  await deployments.create({
    metadata: { name: 'patient', namespace: 'default' },
    spec: {
      replicas: 2,
      minReadySeconds: 30,
      selector: { matchLabels: { app: 'patient' } },
      template: template('patient'),
    },
  });
  const waiting = await waitFor(async () => {
    const d = await deployments.get('default', 'patient');
    return d.status?.readyReplicas === 2 ? d : undefined;
  });
  assert.equal(waiting.status?.availableReplicas ?? 0, 0);
  assert.equal(waiting.status?.conditions?.find((c) => c.type === 'Available')?.status, 'False');

  clock.advance(31_000);
  const rss = await cluster.client
    .resource<ReplicaSet>(R.replicaSets)
    .list('default', { labelSelector: 'app=patient' });
  await cluster.client
    .resource<ReplicaSet>(R.replicaSets)
    .patch('default', rss.items[0]!.metadata!.name!, 'merge', { metadata: { annotations: { touch: '1' } } });
  const done = await waitFor(async () => {
    const d = await deployments.get('default', 'patient');
    return d.status?.availableReplicas === 2 ? d : undefined;
  });
  assert.equal(
    done.status?.conditions?.find((c) => c.type === 'Available')?.reason,
    'MinimumReplicasAvailable',
  );
});
