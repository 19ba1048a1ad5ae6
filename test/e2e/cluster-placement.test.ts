/**
 * Where pods land, as users steer it with kubectl: taints and tolerations, node affinity, pod affinity and
 * anti-affinity, topology spread and priority preemption, against the built `tugboat server` (its scheduler)
 * and hollow nodes in separate processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { stringify as stringifyYaml } from 'yaml';
import { waitFor } from '../../src/util/wait.js';
import { startHollowNodes, type HollowNodesProcess } from '../helpers/hollow.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
const hollows: HollowNodesProcess[] = [];
const NS = 'placement';
const ns = ['-n', NS];
const NODES = ['p-0', 'p-1', 'p-2', 'p-3'];

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function apply(...manifests: object[]): Promise<void> {
  const r = await s.kubectl(['apply', '-f', '-'], {
    input: manifests.map((m) => stringifyYaml(m)).join('---\n'),
  });
  assert.equal(r.code, 0, r.stderr);
}

async function pods(selector: string): Promise<Pod[]> {
  const out = await ok('get', 'pods', ...ns, '-l', selector, '-o', 'json');
  return (JSON.parse(out) as { items: Pod[] }).items.filter((p) => !p.metadata?.deletionTimestamp);
}

const running = (list: Pod[]): Pod[] => list.filter((p) => p.status?.phase === 'Running');

/** Node name → number of the pods on it. */
function perNode(list: Pod[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of list) {
    const node = p.spec?.nodeName ?? '<none>';
    counts[node] = (counts[node] ?? 0) + 1;
  }
  return counts;
}

/** A Deployment of `replicas` pods labelled app=<name> with the given extra pod spec. */
function deployment(name: string, replicas: number, spec: Partial<PodSpec> = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
      },
    },
  };
}

function pod(name: string, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name, ...labels } },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  };
}

/** Waits until `count` pods with the selector run, and returns them. */
async function waitRunning(selector: string, count: number, timeoutMs = 60_000): Promise<Pod[]> {
  return waitFor(
    async () => {
      const list = running(await pods(selector));
      return list.length === count ? list : undefined;
    },
    { timeoutMs, intervalMs: 250, message: `${count} Running pods -l ${selector}` },
  );
}

/** The FailedScheduling message of a pending pod, once there is one. */
async function failedScheduling(name: string): Promise<string> {
  return waitFor(
    async () => {
      const out = await ok(
        'get',
        'events',
        ...ns,
        '--field-selector',
        `involvedObject.name=${name},reason=FailedScheduling`,
        '-o',
        'jsonpath={.items[*].message}',
      );
      return out.trim() || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, message: `FailedScheduling event for ${name}` },
  );
}

async function deleteAll(): Promise<void> {
  await ok('delete', 'deployments,pods', '--all', ...ns, '--wait=true', '--timeout=90s');
}

before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  hollows.push(startHollowNodes(s.kubeconfig, NODES.length, 'p-'));
  await waitFor(
    async () => {
      const out = await ok(
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
      );
      return out.split(/\s+/).filter((x) => x === 'True').length === NODES.length;
    },
    { timeoutMs: 60_000, message: `${NODES.length} Ready hollow nodes` },
  );
  await ok('create', 'namespace', NS);
});

after(async () => {
  for (const h of hollows) await h.stop();
  await s?.stop();
});

describe('placement through the scheduler of tugboat server', { concurrency: false }, () => {
  test('a NoSchedule taint keeps pods off unless they tolerate it; NoExecute evicts', async () => {
    await ok('taint', 'node', 'p-0', 'dedicated=infra:NoSchedule');
    await apply(
      deployment('plain', 6),
      pod('tolerant', {
        nodeSelector: { 'kubernetes.io/hostname': 'p-0' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }],
      }),
      pod('intolerant', { nodeSelector: { 'kubernetes.io/hostname': 'p-0' } }),
    );
    const plain = await waitRunning('app=plain', 6);
    assert.equal(
      perNode(plain)['p-0'],
      undefined,
      `no plain pod on the tainted node: ${JSON.stringify(perNode(plain))}`,
    );
    const [tolerant] = await waitRunning('app=tolerant', 1);
    assert.equal(tolerant?.spec?.nodeName, 'p-0');
    assert.match(
      await failedScheduling('intolerant'),
      /0\/4 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: infra\}, 3 node\(s\) didn't match Pod's node affinity\/selector/,
    );
    const wide = await ok('get', 'pods', ...ns, '-o', 'wide');
    assert.match(wide, /^intolerant\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/m);
    assert.match(wide, /^tolerant\s+1\/1\s+Running\s+0\s+\S+\s+\S+\s+p-0\s/m);

    // NoExecute: the plain pods on the busiest node are evicted and replaced elsewhere.
    await ok('taint', 'node', 'p-0', 'dedicated-');
    const counts = perNode(plain);
    const busiest = Object.keys(counts).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0))[0]!;
    await ok('taint', 'node', busiest, 'maintenance=now:NoExecute');
    await waitFor(
      async () => {
        const now = running(await pods('app=plain'));
        return now.length === 6 && now.every((p) => p.spec?.nodeName !== busiest);
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `plain pods off ${busiest}` },
    );
    await ok('taint', 'node', busiest, 'maintenance-');
    await deleteAll();
  });

  test('required and preferred node affinity', async () => {
    await ok('label', 'node', 'p-1', 'disk=ssd');
    await ok('label', 'node', 'p-2', 'disk=hdd');
    const required = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
      },
    };
    const preferred = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } },
      ],
    };
    const nowhere = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] }],
      },
    };
    await apply(
      deployment('ssd', 4, { affinity: { nodeAffinity: required } }),
      deployment('hdd', 3, { affinity: { nodeAffinity: preferred } }),
      pod('nvme', { affinity: { nodeAffinity: nowhere } }),
    );
    assert.deepEqual(perNode(await waitRunning('app=ssd', 4)), { 'p-1': 4 });
    assert.deepEqual(perNode(await waitRunning('app=hdd', 3)), { 'p-2': 3 });
    assert.match(
      await failedScheduling('nvme'),
      /0\/4 nodes are available: 4 node\(s\) didn't match Pod's node affinity\/selector/,
    );
    await deleteAll();
  });

  test('pod anti-affinity keeps replicas apart; pod affinity puts a pod beside another', async () => {
    const apart = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'solo' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
    await apply(deployment('solo', 5, { affinity: apart }));
    // Four nodes, five replicas that refuse to share one: four run on distinct nodes, one waits.
    const solo = await waitRunning('app=solo', 4);
    assert.deepEqual(Object.values(perNode(solo)), [1, 1, 1, 1]);
    const pending = await waitFor(
      async () => (await pods('app=solo')).find((p) => !p.spec?.nodeName)?.metadata?.name,
      { timeoutMs: 30_000, message: 'a pending solo pod' },
    );
    assert.match(
      await failedScheduling(pending),
      /0\/4 nodes are available: 4 node\(s\) didn't match pod anti-affinity rules/,
    );

    await apply(pod('cache', { nodeSelector: { 'kubernetes.io/hostname': 'p-3' } }));
    await waitRunning('app=cache', 1);
    const beside = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
    await apply(deployment('client', 3, { affinity: beside }));
    assert.deepEqual(perNode(await waitRunning('app=client', 3)), { 'p-3': 3 });
    await deleteAll();
  });

  test('topology spread with maxSkew 1 over hostnames and over zones', async () => {
    // Three nodes in zone a, one in zone b.
    for (const n of ['p-0', 'p-1', 'p-2']) await ok('label', 'node', n, 'topology.kubernetes.io/zone=a');
    await ok('label', 'node', 'p-3', 'topology.kubernetes.io/zone=b');
    const spread = (app: string, key: string): Partial<PodSpec> => ({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: key,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app } },
        },
      ],
    });
    await apply(deployment('by-host', 8, spread('by-host', 'kubernetes.io/hostname')));
    assert.deepEqual(perNode(await waitRunning('app=by-host', 8)), {
      'p-0': 2,
      'p-1': 2,
      'p-2': 2,
      'p-3': 2,
    });

    // Even zones mean p-3 alone carries half of the pods.
    await apply(deployment('by-zone', 6, spread('by-zone', 'topology.kubernetes.io/zone')));
    const byZone = perNode(await waitRunning('app=by-zone', 6));
    assert.equal(byZone['p-3'], 3, JSON.stringify(byZone));
    await deleteAll();
  });

  test('a high-priority pod preempts a lower-priority one on a full node', async () => {
    // One small node of 1 CPU: two 400m low-priority pods fill it, a 500m high-priority pod needs one gone.
    hollows.push(startHollowNodes(s.kubeconfig, 1, 'tiny-', { cpu: '1', pods: 10 }));
    await waitFor(
      async () =>
        (
          await ok('get', 'node', 'tiny-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
        ).trim() === 'True',
      { timeoutMs: 60_000, message: 'tiny-0 Ready' },
    );
    await apply(
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: 'e2e-low' },
        value: 100,
      },
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: 'e2e-high' },
        value: 1000,
      },
    );
    const onTiny = (priorityClassName: string, cpu: string): Partial<PodSpec> => ({
      priorityClassName,
      nodeSelector: { 'kubernetes.io/hostname': 'tiny-0' },
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }],
    });
    await apply(
      pod('low-0', onTiny('e2e-low', '400m'), { tier: 'low' }),
      pod('low-1', onTiny('e2e-low', '400m'), { tier: 'low' }),
    );
    await waitRunning('tier=low', 2);

    const watch = s.kubectlStream([
      'get',
      'pods',
      '-l',
      'app=high',
      ...ns,
      '--watch',
      '-o',
      'custom-columns=NAME:.metadata.name,NOMINATED:.status.nominatedNodeName,NODE:.spec.nodeName',
    ]);
    try {
      await apply(pod('high', onTiny('e2e-high', '500m')));
      // Nominated before it is bound, then bound to the node it preempted on.
      await watch.waitForLine(/^high\s+tiny-0\s+<none>/, 60_000);
      await watch.waitForLine(/^high\s+\S+\s+tiny-0/, 60_000);
    } finally {
      await watch.stop();
    }
    await waitRunning('app=high', 1);
    const left = await pods('tier=low');
    assert.equal(left.length, 1, `one low pod is gone: ${left.map((p) => p.metadata?.name).join(',')}`);
    const victim = left[0]?.metadata?.name === 'low-0' ? 'low-1' : 'low-0';
    assert.equal(running(left).length, 1);
    const events = await ok(
      'get',
      'events',
      ...ns,
      '--field-selector',
      `involvedObject.name=${victim},reason=Preempted`,
      '-o',
      'jsonpath={.items[*].message}',
    );
    assert.match(events, /^Preempted by pod [0-9a-f-]+ on node tiny-0/);
    await deleteAll();
  });
});
