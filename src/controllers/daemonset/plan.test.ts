import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { REVISION_HASH_LABEL } from '../history/index.js';
import { computeDaemonStatus, planNodes, planRollingUpdate, type FailedPodBackoff } from './plan.js';
import { affinityForNode, newDaemonPod, nodeShouldRunDaemonPod, targetNodeName } from './pods.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const noBackoff: FailedPodBackoff = { tryNext: () => 0 };

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { metadata: { name, labels }, spec: { taints } };
}

function ds(
  spec: Partial<NonNullable<DaemonSet['spec']>> = {},
  podSpec: Record<string, unknown> = {},
): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'a', image: 'x' }], ...podSpec },
      },
      ...spec,
    },
  };
}

let seq = 0;
function pod(
  nodeName: string,
  hash: string,
  opts: { ready?: boolean; phase?: string; deleting?: boolean } = {},
): Pod {
  seq++;
  return {
    metadata: {
      name: `agent-${seq}`,
      creationTimestamp: new Date(NOW - 100_000 + seq * 1000).toISOString(),
      labels: { [REVISION_HASH_LABEL]: hash },
      ...(opts.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: { nodeName, containers: [] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: (opts.ready ?? true) ? 'True' : 'False' }],
    },
  };
}

const names = (pods: { node: string }[]): string[] => pods.map((d) => d.node).sort();

test('eligibility: selector, affinity and untolerated taints', () => {
  const d = ds({}, { nodeSelector: { role: 'edge' } });
  assert.equal(nodeShouldRunDaemonPod(node('a', { role: 'edge' }), d).shouldRun, true);
  assert.deepEqual(nodeShouldRunDaemonPod(node('b'), d), { shouldRun: false, shouldContinueRunning: false });

  const noSchedule = node('c', {}, [{ key: 'k', effect: 'NoSchedule' }]);
  assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds()), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  const noExecute = node('d', {}, [{ key: 'k', effect: 'NoExecute' }]);
  assert.deepEqual(nodeShouldRunDaemonPod(noExecute, ds()), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  const tolerant = ds({}, { tolerations: [{ key: 'k', operator: 'Exists' }] });
  assert.equal(nodeShouldRunDaemonPod(noExecute, tolerant).shouldRun, true);

  // The automatic tolerations: cordoned and not-ready nodes keep their daemons.
  for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/memory-pressure']) {
    assert.equal(
      nodeShouldRunDaemonPod(node('e', {}, [{ key, effect: 'NoSchedule' }]), ds()).shouldRun,
      true,
    );
  }
  const notReady = node('f', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]);
  assert.equal(nodeShouldRunDaemonPod(notReady, ds()).shouldRun, true);
  const netDown = node('g', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
  assert.equal(nodeShouldRunDaemonPod(netDown, ds()).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(netDown, ds({}, { hostNetwork: true })).shouldRun, true);

  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }],
      },
    },
  };
  assert.equal(nodeShouldRunDaemonPod(node('h', { zone: 'z1' }), ds({}, { affinity })).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('i', { zone: 'z2' }), ds({}, { affinity })).shouldRun, false);
});

test('new daemon pods name their node through required node affinity', () => {
  const p = newDaemonPod(ds(), 'node-7', 'h1');
  assert.equal(targetNodeName(p), 'node-7');
  assert.equal(p.spec?.nodeName, undefined);
  assert.equal(p.metadata?.generateName, 'agent-');
  assert.equal(p.metadata?.labels?.[REVISION_HASH_LABEL], 'h1');
  assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
  const replaced = affinityForNode(
    {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }],
        },
      },
    },
    'n',
  );
  assert.deepEqual(replaced.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] },
  ]);
});

test('planNodes: create where missing, delete where not wanted, replace failed, dedupe', () => {
  const nodes = [node('a'), node('b'), node('c', {}, [{ key: 'k', effect: 'NoExecute' }]), node('d')];
  const dupOld = pod('d', 'h');
  const dupNew = pod('d', 'h');
  const failed = pod('b', 'h', { phase: 'Failed', ready: false });
  const byNode = new Map([
    ['b', [failed]],
    ['c', [pod('c', 'h')]],
    ['d', [dupNew, dupOld]],
    ['gone', [{ ...pod('gone', 'h'), spec: { containers: [] } }]],
    ['bound-to-gone', [pod('bound-to-gone', 'h')]],
  ]);
  const plan = planNodes(ds(), nodes, byNode, 'h', noBackoff);
  assert.deepEqual(plan.create, ['a']);
  assert.deepEqual(plan.delete.map((d) => `${d.node}:${d.reason}`).sort(), [
    'b:failed',
    'c:misscheduled',
    'd:duplicate',
    'gone:orphaned',
  ]);
  assert.equal(plan.delete.find((d) => d.node === 'd')?.pod, dupNew, 'the newest duplicate goes');

  const backingOff = planNodes(ds(), [node('b')], new Map([['b', [failed]]]), 'h', { tryNext: () => 4000 });
  assert.deepEqual(backingOff.delete, []);
  assert.equal(backingOff.requeueAfterMs, 4000);
});

test('planRollingUpdate without surge respects maxUnavailable', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n));
  const byNode = new Map(nodes.map((n) => [n.metadata!.name!, [pod(n.metadata!.name!, 'old')]]));
  const d = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } });
  assert.deepEqual(names(planRollingUpdate(d, nodes, byNode, 'new', NOW).delete), ['a', 'b']);

  // One updated pod not yet ready uses up one slot.
  byNode.set('a', [pod('a', 'new', { ready: false })]);
  assert.deepEqual(names(planRollingUpdate(d, nodes, byNode, 'new', NOW).delete), ['b']);
  // Outdated pods that are unavailable anyway are always replaced.
  byNode.set('c', [pod('c', 'old', { ready: false })]);
  byNode.set('b', [pod('b', 'new', { ready: false })]);
  assert.deepEqual(names(planRollingUpdate(d, nodes, byNode, 'new', NOW).delete), ['c']);
});

test('planRollingUpdate with surge creates first, deletes the old pod once the new one is available', () => {
  const nodes = ['a', 'b', 'c'].map((n) => node(n));
  const d = ds({
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
  });
  const byNode = new Map(nodes.map((n) => [n.metadata!.name!, [pod(n.metadata!.name!, 'old')]]));
  let plan = planRollingUpdate(d, nodes, byNode, 'new', NOW);
  assert.deepEqual(plan.create, ['a']);
  assert.deepEqual(plan.delete, []);

  byNode.set('a', [pod('a', 'old'), pod('a', 'new', { ready: false })]);
  plan = planRollingUpdate(d, nodes, byNode, 'new', NOW);
  assert.deepEqual([plan.create, plan.delete], [[], []]);

  const oldA = pod('a', 'old');
  byNode.set('a', [oldA, pod('a', 'new')]);
  plan = planRollingUpdate(d, nodes, byNode, 'new', NOW);
  assert.deepEqual(
    plan.delete.map((x) => x.pod),
    [oldA],
  );
  assert.deepEqual(plan.create, ['b']);
});

test('status counts desired, scheduled, misscheduled, ready, available and updated', () => {
  const nodes = [node('a'), node('b'), node('c'), node('x', {}, [{ key: 'k', effect: 'NoSchedule' }])];
  const byNode = new Map([
    ['a', [pod('a', 'new')]],
    ['b', [pod('b', 'old', { ready: false })]],
    ['x', [pod('x', 'new')]],
  ]);
  assert.deepEqual(computeDaemonStatus(ds(), nodes, byNode, 'new', NOW), {
    desiredNumberScheduled: 3,
    currentNumberScheduled: 2,
    numberMisscheduled: 1,
    numberReady: 1,
    numberAvailable: 1,
    updatedNumberScheduled: 1,
    numberUnavailable: 2,
    observedGeneration: 2,
  });
});
