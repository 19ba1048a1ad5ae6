/**
 * `kubectl rollout` and friends with the real kubectl against an in-process API server running the
 * ReplicaSet and Deployment controllers, with a stand-in kubelet that makes every pod Running and Ready.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { controllerOf } from '../../src/api/owners.js';
import { R } from '../../src/client/index.js';
import { deploymentControllerFactory } from '../../src/controllers/deployment/index.js';
import { replicaSetControllerFactory } from '../../src/controllers/replicaset/index.js';
import { waitFor } from '../../src/util/wait.js';
import { simulateKubelet, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubectlWith, type KubeconfigKubectl } from '../helpers/kubectl.js';

let cluster: TestCluster;
let stopKubelet: () => void;
let k: KubeconfigKubectl;

before(async () => {
  cluster = await startTestCluster({
    replicaset: replicaSetControllerFactory,
    deployment: deploymentControllerFactory,
  });
  stopKubelet = simulateKubelet(cluster.client);
  k = kubectlWith(cluster.server.kubeconfig);
});
after(async () => {
  stopKubelet();
  await cluster.close();
  k.close();
});

const ok = (...args: string[]): Promise<string> => k.ok(...args);

const rolledOut = async (): Promise<void> => {
  const out = await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
  assert.match(out, /deployment "web" successfully rolled out/);
};

async function webReplicaSets(): Promise<ReplicaSet[]> {
  const d = await cluster.client.resource<Deployment>(R.deployments).get('default', 'web');
  const list = await cluster.client.resource<ReplicaSet>(R.replicaSets).list('default');
  return list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
}

const image = async (): Promise<string> =>
  ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

test('create deployment, then rollout status waits for it', async () => {
  assert.match(
    await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=3'),
    /deployment.apps\/web created/,
  );
  await rolledOut();
  const row = (await ok('get', 'deployment', 'web', '--no-headers')).trim().split(/\s+/);
  assert.deepEqual(row.slice(0, 4), ['web', '3/3', '3', '3']);
});

test('set image rolls out a new ReplicaSet; history lists both revisions', async () => {
  assert.match(await ok('set', 'image', 'deployment/web', 'nginx=nginx:1.27'), /image updated/);
  await rolledOut();
  assert.equal(await image(), 'nginx:1.27');
  const history = await ok('rollout', 'history', 'deployment/web');
  assert.match(history, /^REVISION\s+CHANGE-CAUSE$/m);
  assert.match(history, /^1\s+<none>$/m);
  assert.match(history, /^2\s+<none>$/m);
  const rev2 = await ok('rollout', 'history', 'deployment/web', '--revision=2');
  assert.match(rev2, /Image:\s+nginx:1\.27/);
});

test('rollout undo goes back to the previous template as revision 3', async () => {
  assert.match(await ok('rollout', 'undo', 'deployment/web'), /deployment.apps\/web rolled back/);
  await rolledOut();
  assert.equal(await image(), 'nginx');
  const history = await ok('rollout', 'history', 'deployment/web');
  assert.match(history, /^2\s+<none>$/m);
  assert.match(history, /^3\s+<none>$/m);
  assert.doesNotMatch(history, /^1\s/m);
  assert.equal((await webReplicaSets()).length, 2);
});

test('rollout restart makes a new ReplicaSet with the restartedAt annotation', async () => {
  assert.match(await ok('rollout', 'restart', 'deployment/web'), /deployment.apps\/web restarted/);
  await rolledOut();
  const rss = await webReplicaSets();
  assert.equal(rss.length, 3);
  const current = rss.find((rs) => (rs.spec?.replicas ?? 0) > 0);
  assert.ok(current?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
  assert.equal(current?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '4');
});

test('rollout pause holds template changes until resume', async () => {
  assert.match(await ok('rollout', 'pause', 'deployment/web'), /deployment.apps\/web paused/);
  await ok('set', 'image', 'deployment/web', 'nginx=nginx:1.28');
  await waitFor(async () => {
    const d = await cluster.client.resource<Deployment>(R.deployments).get('default', 'web');
    return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  });
  assert.equal((await webReplicaSets()).length, 3);
  assert.match(await ok('rollout', 'resume', 'deployment/web'), /deployment.apps\/web resumed/);
  await rolledOut();
  const current = (await webReplicaSets()).find((rs) => (rs.spec?.replicas ?? 0) > 0);
  assert.equal(current?.spec?.template?.spec?.containers[0]?.image, 'nginx:1.28');
});

test('scale resizes the deployment', async () => {
  assert.match(await ok('scale', 'deployment/web', '--replicas=5'), /deployment.apps\/web scaled/);
  await rolledOut();
  const row = (await ok('get', 'deployment', 'web', '--no-headers')).trim().split(/\s+/);
  assert.deepEqual(row.slice(0, 4), ['web', '5/5', '5', '5']);
  const rs = (await ok('get', 'rs', '--no-headers')).trim().split('\n');
  assert.ok(
    rs.some((line) => /^web-\S+\s+5\s+5\s+5\s/.test(line)),
    rs.join('\n'),
  );
});
