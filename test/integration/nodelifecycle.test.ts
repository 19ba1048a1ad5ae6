import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import {
  NodeLifecycleController,
  TaintEvictionController,
} from '../../src/controllers/nodelifecycle/index.js';
import { FakeClock, rfc3339 } from '../../src/util/clock.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const clock = new FakeClock();
let cluster: TestCluster;
let client: ApiClient;
let lifecycle: NodeLifecycleController | undefined;
let eviction: TaintEvictionController | undefined;

before(async () => {
  cluster = await startTestCluster(
    {
      'node-lifecycle': (ctx) => (lifecycle = new NodeLifecycleController(ctx)),
      'taint-eviction-controller': (ctx) => (eviction = new TaintEvictionController(ctx)),
    },
    {
      clock,
      options: { nodeMonitorPeriodMs: 20, taintEvictionPeriodMs: 20, nodeMonitorGracePeriodMs: 40_000 },
    },
  );
  client = cluster.client;
});
after(() => cluster.close());

const nodes = () => client.resource<Node>(R.nodes);
const pods = () => client.resource<Pod>(R.pods);
const leases = () => client.resource<Lease>(R.leases);

/**
 * What a kubelet does: register, post Ready with a heartbeat, renew its Lease. Returns once the controller has
 * seen the renewal, so that moving the fake clock afterwards counts as silence.
 */
async function kubeletHeartbeat(name: string, ready: 'True' | 'False' = 'True'): Promise<void> {
  const now = rfc3339(clock.now());
  const node = await nodes()
    .get('', name)
    .catch(async (err: unknown) => {
      if (!hasReason(err, 'NotFound')) throw err;
      return nodes().create({ metadata: { name } });
    });
  await nodes().updateStatus({
    ...node,
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  });
  const lease = await leases()
    .get('kube-node-lease', name)
    .catch(() => undefined);
  const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: `${now.slice(0, -1)}.000000Z` };
  if (lease) await leases().update({ ...lease, spec });
  else await leases().create({ metadata: { name, namespace: 'kube-node-lease' }, spec });
  await waitFor(() => lifecycle?.nodeHealth(name)?.leaseRenewTime === spec.renewTime, {
    message: 'controller saw the heartbeat',
  });
}

async function runPodOn(node: string, name: string, tolerations: Toleration[] = []): Promise<void> {
  await pods().create({
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], tolerations },
  });
  await pods().createSubresource('default', name, 'binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name },
    target: { kind: 'Node', name: node },
  });
  const now = rfc3339(clock.now());
  await pods().patch(
    'default',
    name,
    'merge',
    {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
    },
    { subresource: 'status' },
  );
}

async function isEvicted(name: string): Promise<boolean> {
  try {
    const p = await pods().get('default', name);
    return !!p.metadata?.deletionTimestamp;
  } catch (err) {
    return hasReason(err, 'NotFound');
  }
}

function hasTaint(node: Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((t: Taint) => t.key === key && t.effect === effect);
}

const unreachable = 'node.kubernetes.io/unreachable';
const notReady = 'node.kubernetes.io/not-ready';

test('a silent node goes Unknown, is tainted unreachable, and its pods are evicted as they tolerate', async () => {
  // A healthy node beside it: with every node silent the controller would taint nothing (see below).
  await kubeletHeartbeat('bystander');
  await kubeletHeartbeat('silent');
  await runPodOn('silent', 'defaults'); // the API server adds the default tolerations (60 s)
  await runPodOn('silent', 'short', [
    { key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
  ]);
  await runPodOn('silent', 'forever', [{ key: unreachable, operator: 'Exists', effect: 'NoExecute' }]);
  await kubeletHeartbeat('bystander');
  clock.advance(20_000);
  await kubeletHeartbeat('silent'); // still alive at t+20s
  await kubeletHeartbeat('bystander');
  clock.advance(30_000); // 30 s since the last heartbeat: within the grace period
  await kubeletHeartbeat('bystander');
  clock.advance(15_000); // 45 s: past it
  const node = await waitFor(
    async () => {
      const n = await nodes().get('', 'silent');
      return hasTaint(n, unreachable, 'NoExecute') && hasTaint(n, unreachable, 'NoSchedule') ? n : undefined;
    },
    { message: 'node tainted unreachable' },
  );
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'Unknown');
  assert.equal(ready?.reason, 'NodeStatusUnknown');
  assert.equal(ready?.message, 'Kubelet stopped posting node status.');
  assert.equal(node.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status, 'Unknown');
  assert.equal(
    node.status?.conditions?.find((c) => c.type === 'DiskPressure')?.reason,
    'NodeStatusNeverUpdated',
  );

  // The pods can no longer be reported on: marked NotReady.
  await waitFor(async () => {
    const p = await pods().get('default', 'forever');
    return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False';
  });

  // Both countdowns have started before time moves on.
  await waitFor(
    () => eviction?.pendingEviction('default/short') && eviction.pendingEviction('default/defaults'),
    {
      message: 'evictions scheduled',
    },
  );
  await kubeletHeartbeat('bystander');
  clock.advance(31_000);
  await waitFor(() => isEvicted('short'), { message: 'short-toleration pod evicted' });
  const short = await pods().get('default', 'short');
  assert.equal(
    short.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason,
    'DeletionByTaintManager',
  );
  assert.equal(await isEvicted('defaults'), false);

  await kubeletHeartbeat('bystander');
  clock.advance(30_000);
  await waitFor(() => isEvicted('defaults'), { message: 'pod with default tolerations evicted' });
  assert.equal(await isEvicted('forever'), false);

  const events = await client.resource<Event>(R.events).list('default');
  assert.ok(
    events.items.some(
      (e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/short',
    ),
  );
  assert.ok(events.items.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === 'silent'));

  // The kubelet comes back: conditions from it, taints removed.
  await kubeletHeartbeat('silent');
  await waitFor(
    async () => {
      const n = await nodes().get('', 'silent');
      return (n.spec?.taints ?? []).length === 0;
    },
    { message: 'taints removed after recovery' },
  );
});

test('untolerated NoExecute taints evict at once; Ready=False taints not-ready', async () => {
  await kubeletHeartbeat('tainted');
  await runPodOn('tainted', 'plain');
  await runPodOn('tainted', 'tolerant', [
    { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' },
  ]);
  const n = await nodes().get('', 'tainted');
  await nodes().update({
    ...n,
    spec: { ...n.spec, taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] },
  });
  await waitFor(() => isEvicted('plain'), { message: 'untolerating pod evicted' });
  assert.equal(await isEvicted('tolerant'), false);

  await kubeletHeartbeat('tainted', 'False');
  const notReadyNode = await waitFor(async () => {
    const x = await nodes().get('', 'tainted');
    return hasTaint(x, notReady, 'NoExecute') && hasTaint(x, notReady, 'NoSchedule') ? x : undefined;
  });
  assert.ok(hasTaint(notReadyNode, 'dedicated', 'NoExecute'), 'foreign taints are kept');
  assert.ok(!hasTaint(notReadyNode, unreachable, 'NoExecute'));
});

test('spec.unschedulable and pressure conditions become NoSchedule taints', async () => {
  await kubeletHeartbeat('cordoned');
  const n = await nodes().get('', 'cordoned');
  await nodes().update({ ...n, spec: { ...n.spec, unschedulable: true } });
  await waitFor(async () =>
    hasTaint(await nodes().get('', 'cordoned'), 'node.kubernetes.io/unschedulable', 'NoSchedule'),
  );

  const cur = await nodes().get('', 'cordoned');
  const now = rfc3339(clock.now());
  await nodes().updateStatus({
    ...cur,
    status: {
      conditions: [
        ...(cur.status?.conditions ?? []).filter((c) => c.type !== 'DiskPressure'),
        { type: 'DiskPressure', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  });
  await waitFor(async () =>
    hasTaint(await nodes().get('', 'cordoned'), 'node.kubernetes.io/disk-pressure', 'NoSchedule'),
  );

  const again = await nodes().get('', 'cordoned');
  await nodes().update({ ...again, spec: { ...again.spec, unschedulable: false } });
  await waitFor(
    async () =>
      !hasTaint(await nodes().get('', 'cordoned'), 'node.kubernetes.io/unschedulable', 'NoSchedule'),
  );
});

const readinessTainted = async (name: string): Promise<boolean> => {
  const n = await nodes().get('', name);
  return hasTaint(n, unreachable, 'NoExecute') || hasTaint(n, notReady, 'NoExecute');
};

async function zoneNode(name: string, zone: string): Promise<void> {
  await nodes().create({ metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } });
  await kubeletHeartbeat(name);
}

test('a zone taints NoExecute at most one node per 10 s (upstream --node-eviction-rate 0.1)', async () => {
  for (const n of ['r1', 'r2', 'r3', 'r4']) await zoneNode(n, 'zone-r');
  await kubeletHeartbeat('r1', 'False');
  await kubeletHeartbeat('r2', 'False');
  await waitFor(async () => (await readinessTainted('r1')) || (await readinessTainted('r2')), {
    message: 'the first node tainted at once',
  });
  // Two of four not ready is still a healthy zone: the second one waits for the next token.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await readinessTainted('r1')) && (await readinessTainted('r2')), false);
  clock.advance(10_000);
  await waitFor(async () => (await readinessTainted('r1')) && (await readinessTainted('r2')), {
    message: 'the second node tainted after 10 s',
  });
});

test('with every node down nothing is tainted; a partly down small zone is not tainted either', async () => {
  clock.advance(45_000); // every heartbeat lapses: all nodes Unknown, every zone fully disrupted
  const all = (await nodes().list()).items.map((n) => n.metadata?.name ?? '');
  await waitFor(
    async () => {
      for (const name of all) {
        const n = await nodes().get('', name);
        if (n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown') return false;
        if (await readinessTainted(name)) return false;
      }
      return true;
    },
    { message: 'all Unknown and no readiness NoExecute taint left' },
  );
  const tainted = await nodes().get('', 'tainted');
  assert.ok(hasTaint(tainted, 'dedicated', 'NoExecute'), "a user's NoExecute taint stays");

  // One node of the unlabelled zone reports again: that zone is now partially disrupted (small: rate 0), while
  // zone-r, still fully down, is tainted again at the normal rate (its last token went just before).
  await kubeletHeartbeat('bystander');
  clock.advance(10_000);
  await waitFor(
    async () => {
      for (const n of ['r1', 'r2', 'r3', 'r4']) if (await readinessTainted(n)) return true;
      return false;
    },
    { message: 'zone-r tainted again' },
  );
  await new Promise((r) => setTimeout(r, 300));
  for (const n of ['silent', 'tainted', 'cordoned']) assert.equal(await readinessTainted(n), false, n);
});
