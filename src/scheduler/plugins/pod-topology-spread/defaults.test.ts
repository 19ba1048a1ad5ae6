import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import { SKIP } from '../../framework/types.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { defaultSpreadSelector, spreadDefaults } from './defaults.js';
import { PodTopologySpread } from './pod-topology-spread.js';

const replicaSet: ReplicaSet = {
  metadata: { name: 'api', namespace: 'default', uid: 'rs-uid' },
  spec: {
    selector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
  },
};

/** A pod of the `api` ReplicaSet. */
function apiPod(name: string): PodInfo {
  const p = pod(name, {}, { labels: { app: 'api', tier: 'back' } });
  p.pod.metadata!.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api', uid: 'rs-uid', controller: true },
  ];
  return p;
}

function normalizedScores(p: PodTopologySpread, incoming: PodInfo, nodes: NodeInfo[], cluster: ClusterView) {
  const s = state();
  assert.equal(p.preScore(s, incoming, nodes, cluster), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(s, incoming, n)));
  p.normalize(s, incoming, scores);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]!]));
}

test('PodTopologySpread args: System by default; List with checked constraints', () => {
  assert.equal(spreadDefaults(undefined).system, true);
  assert.equal(spreadDefaults({ defaultingType: 'List' }).constraints.length, 0);
  const bad: [unknown, RegExp][] = [
    [{ defaultingType: 'Zone' }, /defaultingType: Unsupported value: "Zone"/],
    [
      { defaultConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] },
      /must be empty when defaultingType is "System"/,
    ],
    [
      {
        defaultingType: 'List',
        defaultConstraints: [{ maxSkew: 0, topologyKey: 'z', whenUnsatisfiable: 'DoNotSchedule' }],
      },
      /defaultConstraints\[0\]\.maxSkew: must be greater than zero/,
    ],
    [
      {
        defaultingType: 'List',
        defaultConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'z',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: {} },
          },
        ],
      },
      /labelSelector: Forbidden/,
    ],
    [
      {
        defaultingType: 'List',
        defaultConstraints: [
          { maxSkew: 1, topologyKey: 'z', whenUnsatisfiable: 'DoNotSchedule' },
          { maxSkew: 2, topologyKey: 'z', whenUnsatisfiable: 'DoNotSchedule' },
        ],
      },
      /defaultConstraints\[1\]: Duplicate value/,
    ],
  ];
  for (const [args, message] of bad) assert.throws(() => spreadDefaults(args), message);
});

test('the default selector: the controller ReplicaSet and every Service selecting the pod', () => {
  const services: Service[] = [
    { metadata: { name: 'api', namespace: 'default' }, spec: { selector: { app: 'api' } } },
    { metadata: { name: 'other', namespace: 'default' }, spec: { selector: { app: 'other' } } },
    { metadata: { name: 'elsewhere', namespace: 'prod' }, spec: { selector: { tier: 'back' } } },
  ];
  const cluster = view([], { services, replicaSets: [replicaSet] });
  assert.equal(defaultSpreadSelector(apiPod('x').pod, cluster).toString(), 'app=api,tier');
  const lone = pod('lone', {}, { labels: { app: 'api' } });
  assert.equal(defaultSpreadSelector(lone.pod, cluster).toString(), 'app=api', 'the Service alone');
  assert.equal(defaultSpreadSelector(pod('none').pod, cluster).empty, true);
});

test('system defaults score nodes with fewer of the pod’s peers higher; pods nothing selects are not spread', () => {
  const p = new PodTopologySpread();
  const nodes = [
    nodeInfo(node('n1'), apiPod('a'), apiPod('b')),
    nodeInfo(node('n2'), apiPod('c'), pod('x1'), pod('x2')),
    nodeInfo(node('n3')),
  ];
  const cluster = view(nodes, { replicaSets: [replicaSet] });
  const scores = normalizedScores(p, apiPod('new'), nodes, cluster);
  assert.ok(scores.n3! > scores.n2! && scores.n2! > scores.n1!, JSON.stringify(scores));
  assert.equal(p.preScore(state(), pod('lone'), nodes, cluster), SKIP);
});

test('system defaults spread over zones where nodes have one, and still score nodes without a zone', () => {
  const p = new PodTopologySpread();
  const zone = (z: string) => ({ labels: { 'topology.kubernetes.io/zone': z } });
  const nodes = [
    nodeInfo(node('a1', zone('a')), apiPod('p1'), apiPod('p2')),
    nodeInfo(node('a2', zone('a'))),
    nodeInfo(node('b1', zone('b'))),
    nodeInfo(node('plain')),
  ];
  const scores = normalizedScores(p, apiPod('new'), nodes, view(nodes, { replicaSets: [replicaSet] }));
  assert.ok(scores.b1! > scores.a2! && scores.a2! > scores.a1!, JSON.stringify(scores));
  assert.ok(scores.plain! > 0, 'a node without a zone keeps its hostname score');
});

test("a pod's own constraints replace the defaults; List defaults may filter", () => {
  const nodes = [nodeInfo(node('n1'), apiPod('a'), apiPod('b')), nodeInfo(node('n2'))];
  const cluster = view(nodes, { replicaSets: [replicaSet] });
  const own = apiPod('own');
  own.pod.spec!.topologySpreadConstraints = [
    { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: {} },
  ];
  assert.equal(new PodTopologySpread().preScore(state(), own, nodes, cluster), SKIP);

  const listed = new PodTopologySpread({
    defaultingType: 'List',
    defaultConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
    ],
  });
  const incoming = apiPod('new');
  const s = state();
  assert.equal(listed.preFilter(s, incoming, cluster), null);
  assert.notEqual(listed.filter(s, incoming, nodes[0]!), null, 'n1 already holds two more peers than n2');
  assert.equal(listed.filter(s, incoming, nodes[1]!), null);
  assert.equal(listed.preScore(state(), incoming, nodes, cluster), SKIP, 'no ScheduleAnyway defaults');
});

test('counts a node keeps for one profile are not read by another for a different selector', () => {
  const other: ReplicaSet = {
    metadata: { name: 'web', namespace: 'default', uid: 'web-uid' },
    spec: { selector: { matchLabels: { app: 'web' } } },
  };
  const webPod = (name: string): PodInfo => {
    const p = pod(name, {}, { labels: { app: 'web' } });
    p.pod.metadata!.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'web-uid', controller: true },
    ];
    return p;
  };
  const nodes = [
    nodeInfo(node('n1'), apiPod('a1'), apiPod('a2')),
    nodeInfo(node('n2'), webPod('w1'), webPod('w2')),
  ];
  const cluster = view(nodes, { replicaSets: [replicaSet, other] });
  const api = normalizedScores(new PodTopologySpread(), apiPod('new'), nodes, cluster);
  assert.ok(api.n2! > api.n1!, JSON.stringify(api));
  const web = normalizedScores(new PodTopologySpread(), webPod('new'), nodes, cluster);
  assert.ok(web.n1! > web.n2!, JSON.stringify(web));
});
