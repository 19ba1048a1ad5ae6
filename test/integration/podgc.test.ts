/**
 * The pod garbage collector against a real API server: terminating pods on an out-of-service node, pods whose
 * node is gone, never-scheduled terminating pods, and finished pods past the threshold.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { PodGcController } from '../../src/controllers/podgc/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitUntilGone } from '../helpers/gone.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster(
    { podgc: (ctx) => new PodGcController(ctx) },
    { options: { podGcPeriodMs: 100, terminatedPodGcThreshold: 2 } },
  );
  client = cluster.client;
});
after(() => cluster.close());

const nodes = () => client.resource<Node>(R.nodes);
const pods = () => client.resource<Pod>(R.pods);

async function node(name: string, ready: boolean, taints: Node['spec'] = {}): Promise<void> {
  const n = await nodes().create({ metadata: { name }, spec: taints });
  await nodes().updateStatus({
    ...n,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'Test' }] },
  });
}

async function pod(name: string, nodeName?: string, finalizer = false): Promise<Pod> {
  return pods().create({
    metadata: { name, namespace: 'default', ...(finalizer ? { finalizers: ['test/hold'] } : {}) },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
  });
}

const gone = (name: string): Promise<boolean> =>
  waitUntilGone(() => pods().get('default', name), `${name} collected`, 5000);

test('a terminating pod on a NotReady out-of-service node is marked Failed and removed', async () => {
  const oos = {
    taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }],
  };
  await node('gc-down', false, oos);
  await node('gc-down-no-taint', false);
  await pod('stuck', 'gc-down');
  await pod('waits', 'gc-down-no-taint');
  // A bound pod's delete only marks it: its (dead) kubelet would have to confirm.
  await pods().delete('default', 'stuck');
  await pods().delete('default', 'waits');
  assert.ok(await gone('stuck'));
  await new Promise((r) => setTimeout(r, 500));
  const still = await pods().get('default', 'waits');
  assert.ok(still.metadata?.deletionTimestamp, 'without the taint the pod waits for its node');
});

test('a pod whose node does not exist is marked Failed with DeletionByPodGC and removed', async () => {
  // A finalizer keeps it readable after the delete, to see the status the collector left.
  await pod('orphan', 'gc-never-registered', true);
  const marked = await waitFor(
    async () => {
      const p = await pods().get('default', 'orphan');
      return p.metadata?.deletionTimestamp ? p : undefined;
    },
    { timeoutMs: 5000, message: 'orphan deleted' },
  );
  assert.equal(marked.status?.phase, 'Failed');
  const cond = marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  assert.equal(cond?.reason, 'DeletionByPodGC');
  assert.equal(cond?.message, 'PodGC: node no longer exists');
  await pods().patch('default', 'orphan', 'merge', { metadata: { finalizers: null } });
  assert.ok(await gone('orphan'));
});

test('a terminating pod never scheduled is removed', async () => {
  await pod('unscheduled', undefined, true);
  await pods().delete('default', 'unscheduled');
  await pods().patch('default', 'unscheduled', 'merge', { metadata: { finalizers: null } });
  assert.ok(await gone('unscheduled'));
});

test('finished pods past the threshold go, oldest first', async () => {
  await node('gc-up', true);
  for (const name of ['done-1', 'done-2', 'done-3', 'done-4']) {
    const p = await pod(name, 'gc-up');
    await pods().patch(
      'default',
      name,
      'merge',
      { status: { phase: 'Succeeded' } },
      { subresource: 'status' },
    );
    assert.ok(p);
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has second precision
  }
  assert.ok(await gone('done-1'));
  assert.ok(await gone('done-2'));
  await new Promise((r) => setTimeout(r, 500));
  const left = (await pods().list('default')).items
    .map((p) => p.metadata?.name)
    .filter((n) => n?.startsWith('done-'));
  assert.deepEqual(left.sort(), ['done-3', 'done-4']);
});
