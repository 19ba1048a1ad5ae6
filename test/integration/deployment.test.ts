import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { controllerOf } from '../../src/api/owners.js';
import { isPodActive, isPodReady } from '../../src/api/pods.js';
import { Informer, R } from '../../src/client/index.js';
import { computeHash, deploymentControllerFactory } from '../../src/controllers/deployment/index.js';
import { replicaSetControllerFactory } from '../../src/controllers/replicaset/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let stopKubelet: () => void;

// Pods of the image `nginx:broken` never become ready.
before(async () => {
  cluster = await startTestCluster({
    replicaset: replicaSetControllerFactory,
    deployment: deploymentControllerFactory,
  });
  stopKubelet = simulateKubelet(cluster.client, {
    ready: (pod) => pod.spec?.containers[0]?.image !== 'nginx:broken',
  });
});
after(async () => {
  stopKubelet();
  await cluster.close();
});

const deployments = () => cluster.client.resource<Deployment>(R.deployments);
const replicaSets = () => cluster.client.resource<ReplicaSet>(R.replicaSets);
const podClient = () => cluster.client.resource<Pod>(R.pods);

function deployment(name: string, replicas: number, spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
      },
      ...spec,
    },
  };
}

async function ownedReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
  const list = await replicaSets().list('default');
  return list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
}

/** Waits until the controller has seen the latest spec and the rollout is complete. */
async function rolledOut(name: string, timeoutMs = 20_000): Promise<Deployment> {
  return waitFor(
    async () => {
      const d = await deployments().get('default', name);
      const s = d.status;
      const want = d.spec?.replicas ?? 1;
      const done =
        (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s?.updatedReplicas === want &&
        s.replicas === want &&
        s.availableReplicas === want &&
        s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable');
      return done ? d : undefined;
    },
    { timeoutMs, message: `deployment ${name} rolled out` },
  );
}

const setImage = (name: string, image: string) =>
  deployments().patch('default', name, 'strategic', {
    spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } },
  });

test('a new Deployment gets a ReplicaSet named by the template hash, revision 1, and full status', async () => {
  const created = await deployments().create(deployment('web', 3));
  const d = await rolledOut('web');
  const [rs, ...others] = await ownedReplicaSets(created);
  assert.equal(others.length, 0);
  const hash = rs!.metadata?.labels?.['pod-template-hash'];
  assert.ok(hash);
  assert.equal(rs!.metadata?.name, `web-${hash}`);
  assert.equal(rs!.spec?.selector.matchLabels?.['pod-template-hash'], hash);
  assert.equal(rs!.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
  assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
  // maxSurge 25% of 3 rounds up to 1.
  assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(d.status?.readyReplicas, 3);
  assert.equal(d.status?.unavailableReplicas ?? 0, 0);
  const available = d.status?.conditions?.find((c) => c.type === 'Available');
  assert.equal(available?.status, 'True');
  assert.equal(available?.reason, 'MinimumReplicasAvailable');
  const events = await waitFor(async () => {
    const list = await cluster.client.resource<Event>(R.events).list('default');
    return list.items.find((e) => e.involvedObject.name === 'web' && e.reason === 'ScalingReplicaSet');
  });
  assert.equal(events.message, `Scaled up replica set web-${hash} from 0 to 3`);
});

test('a rolling update stays within maxSurge and maxUnavailable', async () => {
  const created = await deployments().create(
    deployment('roll', 4, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    }),
  );
  await rolledOut('roll');
  let maxSpec = 0;
  let minReady = Infinity;
  const rsWatch = new Informer<ReplicaSet>(replicaSets(), {
    namespace: 'default',
    labelSelector: 'app=roll',
  });
  const countSpec = (): void => {
    const total = rsWatch.list().reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    maxSpec = Math.max(maxSpec, total);
  };
  rsWatch.addEventHandler({ add: countSpec, update: countSpec });
  const podWatch = new Informer<Pod>(podClient(), { namespace: 'default', labelSelector: 'app=roll' });
  const countReady = (): void => {
    minReady = Math.min(minReady, podWatch.list().filter((p) => isPodActive(p) && isPodReady(p)).length);
  };
  podWatch.addEventHandler({ update: countReady, delete: countReady });
  rsWatch.start();
  podWatch.start();
  await Promise.all([rsWatch.waitForSync(), podWatch.waitForSync()]);

  await setImage('roll', 'nginx:1.27');
  const d = await rolledOut('roll');
  rsWatch.stop();
  podWatch.stop();
  assert.ok(maxSpec <= 5, `replica sets summed to ${maxSpec} > replicas + maxSurge`);
  assert.ok(minReady >= 3, `only ${minReady} ready pods < replicas - maxUnavailable`);
  const rss = await ownedReplicaSets(created);
  assert.equal(rss.length, 2);
  const current = rss.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.27');
  assert.equal(current?.spec?.replicas, 4);
  assert.equal(current?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  const old = rss.find((rs) => rs !== current);
  assert.equal(old?.spec?.replicas, 0);
});

test('Recreate removes every old pod before creating new ones', async () => {
  await deployments().create(deployment('recreate', 3, { strategy: { type: 'Recreate' } }));
  await rolledOut('recreate');
  let overlapped = false;
  const podWatch = new Informer<Pod>(podClient(), { namespace: 'default', labelSelector: 'app=recreate' });
  const check = (): void => {
    const hashes = new Set(podWatch.list().map((p) => p.metadata?.labels?.['pod-template-hash']));
    if (hashes.size > 1) overlapped = true;
  };
  podWatch.addEventHandler({ add: check, update: check, delete: check });
  podWatch.start();
  await podWatch.waitForSync();
  await setImage('recreate', 'nginx:1.27');
  await rolledOut('recreate');
  podWatch.stop();
  assert.equal(overlapped, false, 'old and new pods existed at the same time');
});

test('a paused Deployment does not roll out but still scales; resuming rolls out', async () => {
  const created = await deployments().create(deployment('paused', 2));
  await rolledOut('paused');
  await deployments().patch('default', 'paused', 'merge', { spec: { paused: true } });
  await setImage('paused', 'nginx:1.27');
  const seen = await waitFor(async () => {
    const d = await deployments().get('default', 'paused');
    const cond = d.status?.conditions?.find((c) => c.type === 'Progressing');
    return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      cond?.reason === 'DeploymentPaused'
      ? d
      : undefined;
  });
  assert.equal(seen.status?.conditions?.find((c) => c.type === 'Progressing')?.status, 'Unknown');
  assert.equal((await ownedReplicaSets(created)).length, 1);

  await deployments().patch('default', 'paused', 'merge', { spec: { replicas: 4 } });
  await waitFor(async () => {
    const [rs] = await ownedReplicaSets(created);
    return rs?.spec?.replicas === 4 && rs.status?.availableReplicas === 4;
  });
  assert.equal((await ownedReplicaSets(created)).length, 1);

  await deployments().patch('default', 'paused', 'merge', { spec: { paused: null } });
  await rolledOut('paused');
  const rss = await ownedReplicaSets(created);
  assert.equal(rss.length, 2);
  assert.ok(
    rss.some(
      (rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.27' && rs.spec.replicas === 4,
    ),
  );
});

test('rolling back to the previous template reuses its ReplicaSet with a new revision', async () => {
  const created = await deployments().create(deployment('undo', 2));
  await rolledOut('undo');
  const [first] = await ownedReplicaSets(created);
  await setImage('undo', 'nginx:1.27');
  await rolledOut('undo');
  // What `kubectl rollout undo` sends: the old RS template without the hash label.
  const template = structuredClone(first!.spec!.template!);
  delete template.metadata!.labels!['pod-template-hash'];
  await deployments().patch('default', 'undo', 'json', [
    { op: 'replace', path: '/spec/template', value: template },
  ]);
  const d = await rolledOut('undo');
  const rss = await ownedReplicaSets(created);
  assert.equal(rss.length, 2);
  const back = rss.find((rs) => rs.metadata?.uid === first!.metadata?.uid)!;
  assert.equal(back.spec?.replicas, 2);
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async () => {
  const created = await deployments().create(deployment('history', 1, { revisionHistoryLimit: 1 }));
  await rolledOut('history');
  for (const tag of ['1.25', '1.26', '1.27']) {
    await setImage('history', `nginx:${tag}`);
    await rolledOut('history');
  }
  const rss = await waitFor(async () => {
    const list = await ownedReplicaSets(created);
    return list.length === 2 ? list : undefined;
  });
  const images = rss.map((rs) => rs.spec?.template?.spec?.containers[0]?.image).sort();
  assert.deepEqual(images, ['nginx:1.26', 'nginx:1.27']);
});

test('scaling during a stuck rollout resizes old and new ReplicaSets proportionally', async () => {
  const created = await deployments().create(
    deployment('prop', 10, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
    }),
  );
  await rolledOut('prop');
  await setImage('prop', 'nginx:broken');
  const sizes = async (): Promise<[number, number]> => {
    const rss = await ownedReplicaSets(created);
    const fresh = rss.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:broken');
    const old = rss.find((rs) => rs !== fresh);
    return [old?.spec?.replicas ?? -1, fresh?.spec?.replicas ?? -1];
  };
  // 13 pods at most: the old RS keeps 8 available, the new one gets 5 that never become ready.
  await waitFor(async () => JSON.stringify(await sizes()) === '[8,5]', { timeoutMs: 20_000 });
  await deployments().patch('default', 'prop', 'merge', { spec: { replicas: 20 } });
  // 23 allowed: 10 more shared by size, 8*23/13 → 14 and 5*23/13 → 9.
  await waitFor(async () => JSON.stringify(await sizes()) === '[14,9]', { timeoutMs: 20_000 });
});

test('a rollout whose pods never get ready exceeds its progress deadline', async () => {
  await deployments().create(
    deployment('stuck', 2, {
      progressDeadlineSeconds: 2,
      template: {
        metadata: { labels: { app: 'stuck' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:broken' }] },
      },
    }),
  );
  const d = await waitFor(
    async () => {
      const cur = await deployments().get('default', 'stuck');
      const cond = cur.status?.conditions?.find((c) => c.type === 'Progressing');
      return cond?.reason === 'ProgressDeadlineExceeded' ? cur : undefined;
    },
    { timeoutMs: 20_000 },
  );
  const cond = d.status?.conditions?.find((c) => c.type === 'Progressing');
  assert.equal(cond?.status, 'False');
  assert.match(cond?.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  const available = d.status?.conditions?.find((c) => c.type === 'Available');
  assert.equal(available?.reason, 'MinimumReplicasUnavailable');
});

test('a name taken by a foreign ReplicaSet bumps collisionCount and picks another hash', async () => {
  // Paused, the controller creates no ReplicaSet yet, so the hash it will want can be taken first.
  const created = await deployments().create(deployment('collide', 1, { paused: true }));
  const taken = `collide-${computeHash(created.spec?.template)}`;
  await replicaSets().create({
    metadata: { name: taken, namespace: 'default', labels: { other: 'x' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { other: 'x' } },
      template: {
        metadata: { labels: { other: 'x' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  await deployments().patch('default', 'collide', 'merge', { spec: { paused: null } });
  const d = await rolledOut('collide');
  assert.equal(d.status?.collisionCount, 1);
  const [rs, ...others] = await ownedReplicaSets(created);
  assert.equal(others.length, 0);
  assert.equal(rs?.metadata?.name, `collide-${computeHash(created.spec?.template, 1)}`);
});
