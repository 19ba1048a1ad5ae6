import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type {
  Event,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Service,
} from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { ApiClient, Informer, R } from '../../src/client/index.js';
import { runScheduler } from '../../src/scheduler/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer } from '../helpers/api-server.js';

interface Env {
  client: ApiClient;
  /** Pods as last seen terminating (before the stand-in kubelet removed them). */
  terminating: Map<string, Pod>;
  node(name: string, opts?: NodeOpts): Promise<void>;
  pod(name: string, spec?: Partial<Pod['spec']>, labels?: Record<string, string>): Promise<void>;
  nodeOf(name: string): Promise<string | undefined>;
  placed(names: string[]): Promise<Record<string, string>>;
  get(name: string): Promise<Pod>;
}

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: NonNullable<Node['spec']>['taints'];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An API server, the scheduler, and a stand-in kubelet that finishes graceful deletions at once. */
async function setup(configYaml?: string): Promise<Env> {
  const server = await startTestServer();
  const client = new ApiClient({ server: server.url });
  let configFile: string | undefined;
  if (configYaml) {
    configFile = join(server.dir, 'scheduler.yaml');
    writeFileSync(configFile, configYaml);
  }
  const scheduler = runScheduler({
    client: { server: server.url },
    leaderElect: false,
    logger: silentLogger,
    ...(configFile ? { configFile } : {}),
  });
  const pods = client.resource<Pod>(R.pods);
  const terminating = new Map<string, Pod>();
  const terminator = new Informer(pods);
  terminator.addEventHandler({
    update: (_, p) => {
      if (p.metadata?.deletionTimestamp) {
        terminating.set(p.metadata.name!, p);
        void pods
          .delete(p.metadata.namespace!, p.metadata.name!, { gracePeriodSeconds: 0 })
          .catch(() => undefined);
      }
    },
  });
  terminator.start();
  cleanups.push(async () => {
    terminator.stop();
    await scheduler.stop();
    client.close();
    await server.close();
  });
  const nodes = client.resource<Node>(R.nodes);
  const env: Env = {
    client,
    terminating,
    async node(name, o = {}) {
      await nodes.create({
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
        spec: o.taints ? { taints: o.taints } : {},
      });
      const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
      await nodes.patch(
        '',
        name,
        'merge',
        { status: { capacity: resources, allocatable: resources } },
        { subresource: 'status' },
      );
    },
    async pod(name, spec = {}, labels = {}) {
      await pods.create({
        metadata: { name, namespace: 'default', labels },
        spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
      });
    },
    async nodeOf(name) {
      return (await pods.get('default', name)).spec?.nodeName;
    },
    async placed(names) {
      return waitFor(
        async () => {
          const out: Record<string, string> = {};
          for (const n of names) {
            const node = await env.nodeOf(n);
            if (!node) return undefined;
            out[n] = node;
          }
          return out;
        },
        { message: `pods ${names.join(', ')} scheduled` },
      );
    },
    get: (name) => pods.get('default', name),
  };
  return env;
}

const cpuPod = (cpu: string): Partial<Pod['spec']> => ({
  containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }],
});

function countBy(placed: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of Object.values(placed)) out[n] = (out[n] ?? 0) + 1;
  return out;
}

async function unschedulableMessage(env: Env, name: string): Promise<string> {
  return waitFor(async () => {
    const c = (await env.get(name)).status?.conditions?.find((x) => x.type === 'PodScheduled');
    return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
  });
}

test('spreads pods over equal nodes and reports Scheduled events', async () => {
  const env = await setup();
  for (const n of ['n1', 'n2', 'n3']) await env.node(n);
  const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
  for (const p of names) await env.pod(p, cpuPod('100m'));
  const placed = await env.placed(names);
  assert.deepEqual(countBy(placed), { n1: 2, n2: 2, n3: 2 });
  const events = env.client.resource<Event>(R.events);
  const ev = await waitFor(async () =>
    (await events.list('default')).items.find(
      (e) => e.reason === 'Scheduled' && e.involvedObject.name === 'p0',
    ),
  );
  assert.equal(ev.message, `Successfully assigned default/p0 to ${placed.p0}`);
  assert.equal(ev.reportingComponent, 'default-scheduler');
  const pod = await env.get('p0');
  assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
});

test('resource fit, taints and tolerations, node affinity', async () => {
  const env = await setup();
  await env.node('small', { cpu: '1' });
  await env.node('big', { cpu: '8' });
  await env.node('gpu', {
    cpu: '8',
    labels: { zone: 'z2' },
    taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
  });
  await env.pod('needs-2cpu', cpuPod('2'));
  await env.pod('tolerates', {
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }],
        },
      },
    },
  });
  await env.pod('selector-without-toleration', { nodeSelector: { zone: 'z2' } });
  const placed = await env.placed(['needs-2cpu', 'tolerates']);
  assert.equal(placed['needs-2cpu'], 'big');
  assert.equal(placed.tolerates, 'gpu');
  const msg = await unschedulableMessage(env, 'selector-without-toleration');
  assert.equal(
    msg,
    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
});

test('required anti-affinity keeps replicas apart; the extra one explains itself', async () => {
  const env = await setup();
  await env.node('a');
  await env.node('b');
  const spec: Partial<Pod['spec']> = {
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    },
  };
  await env.pod('w1', spec, { app: 'web' });
  await env.pod('w2', spec, { app: 'web' });
  const placed = await env.placed(['w1', 'w2']);
  assert.notEqual(placed.w1, placed.w2);
  await env.pod('w3', spec, { app: 'web' });
  const msg = await unschedulableMessage(env, 'w3');
  // Its own anti-affinity rejects it first: upstream checks the incoming pod's terms before existing pods'.
  assert.match(msg, /^0\/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\./);
});

test('topology spread over zones with maxSkew 1', async () => {
  const env = await setup();
  await env.node('a1', { labels: { zone: 'a' } });
  await env.node('a2', { labels: { zone: 'a' } });
  await env.node('b1', { labels: { zone: 'b' } });
  const names = ['s0', 's1', 's2', 's3'];
  for (const n of names) {
    await env.pod(
      n,
      {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 's' } },
          },
        ],
      },
      { app: 's' },
    );
  }
  const placed = await env.placed(names);
  const zones = Object.values(placed).map((n) => (n === 'b1' ? 'b' : 'a'));
  assert.equal(zones.filter((z) => z === 'b').length, 2);
});

test('priority preemption evicts a lower-priority pod and nominates the node', async () => {
  const env = await setup();
  const pcs = env.client.resource(R.priorityClasses);
  await pcs.create({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'low' },
    value: 10,
  });
  await pcs.create({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'high' },
    value: 1000,
  });
  await env.node('only', { cpu: '2' });
  await env.pod('victim', { ...cpuPod('1500m'), priorityClassName: 'low' });
  assert.equal((await env.placed(['victim'])).victim, 'only');
  await env.pod('preemptor', { ...cpuPod('1'), priorityClassName: 'high' });
  const nominated = await waitFor(async () => (await env.get('preemptor')).status?.nominatedNodeName);
  assert.equal(nominated, 'only');
  assert.equal((await env.placed(['preemptor'])).preemptor, 'only');
  await assert.rejects(env.get('victim'));
  const disruption = env.terminating
    .get('victim')
    ?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  assert.equal(disruption?.reason, 'PreemptionByScheduler');
  const events = env.client.resource<Event>(R.events);
  const preempted = await waitFor(async () =>
    (await events.list('default')).items.find(
      (e) => e.reason === 'Preempted' && e.involvedObject.name === 'victim',
    ),
  );
  assert.match(preempted.message ?? '', /^Preempted by pod .* on node only$/);
});

test('an unschedulable pod explains itself node by node (condition and event)', async () => {
  const env = await setup();
  await env.node('node-1', { cpu: '1' });
  await env.node('node-2', { cpu: '1' });
  await env.node('node-3', { cpu: '1500m' });
  await env.node('node-4', { cpu: '8', taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }] });
  await env.node('node-5', { cpu: '8', taints: [{ key: 'key', value: 'value', effect: 'NoExecute' }] });
  await env.pod('big', cpuPod('2'));
  const msg = await unschedulableMessage(env, 'big');
  assert.equal(
    msg,
    '0/5 nodes are available: 2 node(s) had untolerated taint {key: value}, 3 Insufficient cpu. ' +
      'preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
  );
  const events = env.client.resource<Event>(R.events);
  const ev = await waitFor(async () =>
    (await events.list('default')).items.find(
      (e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big',
    ),
  );
  assert.equal(ev.type, 'Warning');
  const lines = (ev.message ?? '').split('\n');
  assert.equal(lines[0], msg);
  assert.ok(lines.includes('node-3: Insufficient cpu (requested 2, free 1.5)'), lines.join('\n'));
  assert.ok(lines.includes('node-4: untolerated taint key=value:NoSchedule'), lines.join('\n'));
});

test('a pending pod is scheduled once a node is added', async () => {
  const env = await setup();
  await env.pod('waiting', cpuPod('1'));
  const msg = await unschedulableMessage(env, 'waiting');
  assert.match(msg, /^no nodes available to schedule pods/);
  await env.node('late');
  assert.equal((await env.placed(['waiting'])).waiting, 'late');
});

/** A scheduler configuration whose default profile bin-packs. */
const MOST_ALLOCATED = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`;

test("a config file selects MostAllocated (bin-packing) for its profile; other schedulers' pods are left alone", async () => {
  const env = await setup(MOST_ALLOCATED);
  await env.node('n1');
  await env.node('n2');
  await env.node('n3');
  // cpu and memory in the same proportion, so BalancedAllocation scores every node alike.
  const packed: Partial<Pod['spec']> = {
    containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1', memory: '2Gi' } } }],
  };
  await env.pod('first', packed);
  const first = (await env.placed(['first'])).first;
  const rest = ['b1', 'b2'];
  for (const p of rest) await env.pod(p, packed);
  const placed = await env.placed(rest);
  assert.deepEqual(Object.values(placed), [first, first]);

  await env.pod('elsewhere', { ...cpuPod('1'), schedulerName: 'other-scheduler' });
  await env.pod('marker', cpuPod('1'));
  await env.placed(['marker']);
  const other = await env.get('elsewhere');
  assert.equal(other.spec?.nodeName, undefined);
  assert.equal(
    other.status?.conditions?.find((c) => c.type === 'PodScheduled'),
    undefined,
  );
});

test('system-default spreading: pods a Service or a ReplicaSet selects spread over nodes even under MostAllocated', async () => {
  const env = await setup(MOST_ALLOCATED);
  for (const n of ['n1', 'n2', 'n3']) await env.node(n);
  const packed: Partial<Pod['spec']> = {
    containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1', memory: '2Gi' } } }],
  };
  await env.client.resource<Service>(R.services).create({
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  const web = ['w1', 'w2', 'w3'];
  for (const p of web) {
    await env.pod(p, packed, { app: 'web' });
    await env.placed([p]);
  }
  assert.deepEqual(countBy(await env.placed(web)), { n1: 1, n2: 1, n3: 1 }, 'a Service selects them');

  const rs = await env.client.resource<ReplicaSet>(R.replicaSets).create({
    metadata: { name: 'api', namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  const owner = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: 'api',
    uid: rs.metadata!.uid!,
    controller: true,
  };
  const pods = env.client.resource<Pod>(R.pods);
  const api = ['a1', 'a2', 'a3'];
  for (const name of api) {
    await pods.create({
      metadata: { name, namespace: 'default', labels: { app: 'api' }, ownerReferences: [owner] },
      spec: packed as Pod['spec'],
    });
    await env.placed([name]);
  }
  assert.deepEqual(countBy(await env.placed(api)), { n1: 1, n2: 1, n3: 1 }, 'their ReplicaSet selects them');

  // Selected by nothing: packed by MostAllocated.
  const lone = ['l1', 'l2'];
  for (const p of lone) {
    await env.pod(p, packed, { app: 'lone' });
    await env.placed([p]);
  }
  const placed = await env.placed(lone);
  assert.equal(placed.l1, placed.l2);
});

test('a pod with scheduling gates waits, shown as SchedulingGated, until its last gate is removed', async () => {
  const env = await setup();
  await env.node('n1');
  await env.pod('gated', { schedulingGates: [{ name: 'example.com/a' }, { name: 'b' }] });
  await env.pod('marker');
  await env.placed(['marker']);
  await new Promise((r) => setTimeout(r, 500));
  const events = await env.client.resource<Event>(R.events).list('default');
  assert.deepEqual(
    events.items.filter((e) => e.involvedObject.name === 'gated').map((e) => e.message),
    [],
    'the scheduler left it alone',
  );
  const pods = env.client.resource<Pod>(R.pods);
  const waiting = await env.get('gated');
  assert.equal(waiting.spec?.nodeName, undefined);
  const condition = waiting.status?.conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(condition?.reason, 'SchedulingGated');
  assert.equal(condition?.status, 'False');
  await assert.rejects(
    pods.createSubresource('default', 'gated', 'binding', { target: { kind: 'Node', name: 'n1' } }),
    (e) => hasReason(e, 'Conflict'),
  );

  await pods.patch('default', 'gated', 'json', [{ op: 'remove', path: '/spec/schedulingGates/0' }]);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await env.nodeOf('gated'), undefined, 'one gate left');
  await pods.patch('default', 'gated', 'merge', { spec: { schedulingGates: null } });
  assert.equal((await env.placed(['gated'])).gated, 'n1');
  const scheduled = (await env.get('gated')).status?.conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(scheduled?.status, 'True');
});

test('a ReadWriteOncePod claim admits one pod at a time, on any node', async () => {
  const env = await setup();
  await env.node('n1');
  await env.node('n2');
  await env.client.resource<PersistentVolume>(R.persistentVolumes).create({
    metadata: { name: 'solo-pv' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOncePod'],
      hostPath: { path: '/tmp/solo' },
      storageClassName: '',
    },
  });
  await env.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims).create({
    metadata: { name: 'solo', namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOncePod'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: '',
      volumeName: 'solo-pv',
    },
  });
  const usingSolo: Partial<Pod['spec']> = {
    volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'solo' } }],
  };
  await env.pod('first', usingSolo);
  await env.placed(['first']);
  await env.pod('second', usingSolo);
  assert.equal(
    await unschedulableMessage(env, 'second'),
    '0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
  );
  await env.client.resource<Pod>(R.pods).delete('default', 'first', { gracePeriodSeconds: 0 });
  await env.placed(['second']);
});
