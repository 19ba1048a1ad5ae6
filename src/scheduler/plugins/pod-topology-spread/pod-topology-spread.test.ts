import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSpec, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { PodTopologySpread } from './pod-topology-spread.js';

const labels = { app: 'web' };
const spread = (c: Partial<TopologySpreadConstraint>): Partial<PodSpec> => ({
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: labels },
      ...c,
    },
  ],
});
const web = (name: string) => pod(name, {}, { labels });

test('PodTopologySpread filter: skew against the global minimum', () => {
  const p = new PodTopologySpread();
  // zone a: 2 matching pods, zone b: 1, zone c (node without pods): 0.
  const nodes = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), web('x1'), web('x2')),
    nodeInfo(node('b1', { labels: { zone: 'b' } }), web('x3'), pod('other')),
    nodeInfo(node('c1', { labels: { zone: 'c' } })),
    nodeInfo(node('nolabel')),
  ];
  const cases: [string, Partial<TopologySpreadConstraint>, Record<string, boolean>][] = [
    ['maxSkew 1', {}, { a1: false, b1: false, c1: true }],
    ['maxSkew 2', { maxSkew: 2 }, { a1: false, b1: true, c1: true }],
    [
      'minDomains above domain count treats the minimum as 0',
      { maxSkew: 2, minDomains: 5 },
      { a1: false, b1: true, c1: true },
    ],
  ];
  for (const [name, c, want] of cases) {
    const pi = pod('new', spread(c), { labels });
    const s = state();
    assert.equal(p.preFilter(s, pi, view(nodes)), null);
    for (const n of nodes.slice(0, 3))
      assert.equal(p.filter(s, pi, n) === null, want[n.name], `${name}: ${n.name}`);
    assert.deepEqual(p.filter(s, pi, nodes[3]!)?.reasons, [
      "node(s) didn't match pod topology spread constraints (missing required label)",
    ]);
  }
});

test('PodTopologySpread: removing a pod (preemption simulation) updates the counts', () => {
  const p = new PodTopologySpread();
  const victim = web('x2');
  const nodes = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), web('x1'), victim),
    nodeInfo(node('b1', { labels: { zone: 'b' } })),
  ];
  const pi = pod('new', spread({}), { labels });
  const s = state();
  p.preFilter(s, pi, view(nodes));
  assert.notEqual(p.filter(s, pi, nodes[0]!), null);
  const copy = s.clone();
  p.removePod(copy, pi, victim, nodes[0]!);
  p.removePod(copy, pi, web('x1'), nodes[0]!);
  assert.equal(p.filter(copy, pi, nodes[0]!), null);
  assert.notEqual(p.filter(s, pi, nodes[0]!), null, 'the original state is untouched');
});

test('PodTopologySpread score: ScheduleAnyway prefers emptier domains', () => {
  const p = new PodTopologySpread();
  const nodes = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), web('x1'), web('x2')),
    nodeInfo(node('b1', { labels: { zone: 'b' } }), web('x3')),
    nodeInfo(node('c1', { labels: { zone: 'c' } })),
  ];
  const pi = pod('new', spread({ whenUnsatisfiable: 'ScheduleAnyway' }), { labels });
  const s = state();
  assert.equal(p.preScore(s, pi, nodes, view(nodes)), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(s, pi, n)));
  p.normalize(s, pi, scores);
  assert.ok(scores[2]! > scores[1]! && scores[1]! > scores[0]!, [...scores].join(','));
  assert.equal(scores[2], 100);
});
