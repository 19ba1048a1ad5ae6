import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject, OwnerReference } from '../../src/api/meta.js';
import { R } from '../../src/client/index.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { kubectlWith, type KubeconfigKubectl } from '../helpers/kubectl.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

// The real kubectl's --cascade against the API server with the garbage collector running in this process.
let cluster: TestCluster;
let k: KubeconfigKubectl;

before(async () => {
  cluster = await startTestCluster({ 'garbage-collector': garbageCollectorController });
  k = kubectlWith(cluster.server.kubeconfig);
});
after(async () => {
  await cluster.close();
  k.close();
});

const run = (...args: string[]) => k.run(...args);
const ok = (...args: string[]): Promise<string> => k.ok(...args);

/** A ReplicaSet (no controller runs: its pods are made by hand) and pods owned by it. */
async function ownerWithPods(name: string, pods: { name: string; finalizers?: string[] }[]): Promise<void> {
  const rs = await cluster.client.resource<KubeObject>(R.replicaSets).create({
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
  const ref: OwnerReference = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name,
    uid: rs.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
  for (const p of pods) {
    await cluster.client.resource<KubeObject>(R.pods).create({
      metadata: {
        name: p.name,
        namespace: 'default',
        labels: { app: name },
        ownerReferences: [ref],
        ...(p.finalizers ? { finalizers: p.finalizers } : {}),
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }
}

const podNames = async (app: string): Promise<string> =>
  (await ok('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[*].metadata.name}')).trim();

test('kubectl delete (--cascade=background) removes the owner, then the garbage collector its pods', async () => {
  await ownerWithPods('bg', [{ name: 'bg-a' }, { name: 'bg-b' }]);
  assert.match(await ok('delete', 'rs', 'bg'), /replicaset\.apps "bg" deleted/);
  await ok('wait', '--for=delete', 'pod/bg-a', 'pod/bg-b', '--timeout=30s');
  assert.equal(await podNames('bg'), '');
});

test('kubectl delete --cascade=foreground keeps the owner until its blocking pods are gone', async () => {
  await ownerWithPods('fg', [{ name: 'fg-held', finalizers: ['example.com/hold'] }, { name: 'fg-free' }]);
  await ok('delete', 'rs', 'fg', '--cascade=foreground', '--wait=false');
  assert.equal(
    await ok('get', 'rs', 'fg', '-o', 'jsonpath={.metadata.finalizers}'),
    '["foregroundDeletion"]',
  );
  await ok('wait', '--for=delete', 'pod/fg-free', '--timeout=30s');
  // The held pod is terminating; the owner is still there.
  assert.notEqual(await ok('get', 'pod', 'fg-held', '-o', 'jsonpath={.metadata.deletionTimestamp}'), '');
  assert.notEqual(await ok('get', 'rs', 'fg', '-o', 'jsonpath={.metadata.deletionTimestamp}'), '');
  await ok('patch', 'pod', 'fg-held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await ok('wait', '--for=delete', 'rs/fg', '--timeout=30s');
  assert.equal(await podNames('fg'), '');
});

test('kubectl delete --cascade=foreground waits for the cascade by default', async () => {
  await ownerWithPods('fgw', [{ name: 'fgw-a' }]);
  await ok('delete', 'rs', 'fgw', '--cascade=foreground');
  const rs = await run('get', 'rs', 'fgw');
  assert.match(rs.stderr, /NotFound|not found/);
  assert.equal(await podNames('fgw'), '');
});

test('kubectl delete --cascade=orphan leaves the pods without their ownerReference', async () => {
  await ownerWithPods('orph', [{ name: 'orph-a' }]);
  await ok('delete', 'rs', 'orph', '--cascade=orphan');
  await ok('wait', '--for=delete', 'rs/orph', '--timeout=30s');
  assert.equal(await podNames('orph'), 'orph-a');
  assert.equal(await ok('get', 'pod', 'orph-a', '-o', 'jsonpath={.metadata.ownerReferences}'), '');
});
