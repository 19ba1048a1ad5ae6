import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodAffinityTerm, PodSpec } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { InterPodAffinity } from './inter-pod-affinity.js';

const term = (app: string, topologyKey = 'zone', extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({
  labelSelector: { matchLabels: { app } },
  topologyKey,
  ...extra,
});
const affinity = (t: PodAffinityTerm): Partial<PodSpec> => ({
  affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } },
});
const antiAffinity = (t: PodAffinityTerm): Partial<PodSpec> => ({
  affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } },
});

function run(nodes: ReturnType<typeof nodeInfo>[], incoming: ReturnType<typeof pod>, namespaces = {}) {
  const p = new InterPodAffinity();
  const s = state();
  p.preFilter(s, incoming, view(nodes, { namespaces }));
  return Object.fromEntries(nodes.map((n) => [n.name, p.filter(s, incoming, n)?.reasons[0] ?? 'ok']));
}

test('InterPodAffinity filter', () => {
  const mk = () => [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), pod('db', {}, { labels: { app: 'db' } })),
    nodeInfo(node('a2', { labels: { zone: 'a' } })),
    nodeInfo(node('b1', { labels: { zone: 'b' } })),
  ];
  assert.deepEqual(run(mk(), pod('web', affinity(term('db')))), {
    a1: 'ok',
    a2: 'ok',
    b1: "node(s) didn't match pod affinity rules",
  });
  assert.deepEqual(run(mk(), pod('web', antiAffinity(term('db')))), {
    a1: "node(s) didn't match pod anti-affinity rules",
    a2: "node(s) didn't match pod anti-affinity rules",
    b1: 'ok',
  });
  // Hostname topology: only the node itself.
  assert.deepEqual(run(mk(), pod('web', antiAffinity(term('db', 'kubernetes.io/hostname')))), {
    a1: "node(s) didn't match pod anti-affinity rules",
    a2: 'ok',
    b1: 'ok',
  });
  // Another namespace is not selected unless named.
  assert.deepEqual(run(mk(), pod('web', antiAffinity(term('db')), { namespace: 'other' })), {
    a1: 'ok',
    a2: 'ok',
    b1: 'ok',
  });
  assert.deepEqual(
    run(
      mk(),
      pod('web', antiAffinity(term('db', 'zone', { namespaceSelector: {} })), { namespace: 'other' }),
    ),
    {
      a1: "node(s) didn't match pod anti-affinity rules",
      a2: "node(s) didn't match pod anti-affinity rules",
      b1: 'ok',
    },
  );
  // Affinity to a group that does not exist yet: the first pod matching its own term goes anywhere.
  assert.deepEqual(run(mk(), pod('first', affinity(term('cache')), { labels: { app: 'cache' } })), {
    a1: 'ok',
    a2: 'ok',
    b1: 'ok',
  });
  assert.deepEqual(run(mk(), pod('lonely', affinity(term('cache')))), {
    a1: "node(s) didn't match pod affinity rules",
    a2: "node(s) didn't match pod affinity rules",
    b1: "node(s) didn't match pod affinity rules",
  });
});

test("InterPodAffinity filter: existing pods' anti-affinity repels the incoming pod", () => {
  const guard = pod('guard', antiAffinity(term('web')), { labels: { app: 'guard' } });
  const nodes = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), guard),
    nodeInfo(node('a2', { labels: { zone: 'a' } })),
    nodeInfo(node('b1', { labels: { zone: 'b' } })),
  ];
  assert.deepEqual(run(nodes, pod('web', {}, { labels: { app: 'web' } })), {
    a1: "node(s) didn't satisfy existing pods anti-affinity rules",
    a2: "node(s) didn't satisfy existing pods anti-affinity rules",
    b1: 'ok',
  });
  assert.deepEqual(run(nodes, pod('api', {}, { labels: { app: 'api' } })), { a1: 'ok', a2: 'ok', b1: 'ok' });
});

test('InterPodAffinity filter: a group that repels itself reports its own anti-affinity first, as upstream', () => {
  const self = antiAffinity(term('solo', 'kubernetes.io/hostname'));
  const placed = pod('solo-1', self, { labels: { app: 'solo' } });
  const nodes = [nodeInfo(node('a1', { labels: { zone: 'a' } }), placed), nodeInfo(node('a2'))];
  assert.deepEqual(run(nodes, pod('solo-2', self, { labels: { app: 'solo' } })), {
    a1: "node(s) didn't match pod anti-affinity rules",
    a2: 'ok',
  });
  // Affinity that cannot be met is unresolvable and reported before any anti-affinity.
  const both: Partial<PodSpec> = {
    affinity: {
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [term('solo', 'kubernetes.io/hostname')],
      },
    },
  };
  const cacheElsewhere = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), placed),
    nodeInfo(node('b1', { labels: { zone: 'b' } }), pod('cache', {}, { labels: { app: 'cache' } })),
  ];
  assert.deepEqual(run(cacheElsewhere, pod('x', both, { labels: { app: 'solo' } })), {
    a1: "node(s) didn't match pod affinity rules",
    b1: 'ok',
  });
});

test('InterPodAffinity score: preferred affinity and anti-affinity by domain', () => {
  const p = new InterPodAffinity();
  const nodes = [
    nodeInfo(node('a1', { labels: { zone: 'a' } }), pod('db', {}, { labels: { app: 'db' } })),
    nodeInfo(node('b1', { labels: { zone: 'b' } }), pod('noisy', {}, { labels: { app: 'noisy' } })),
    nodeInfo(node('c1', { labels: { zone: 'c' } })),
  ];
  const incoming = pod('web', {
    affinity: {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db') }],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('noisy') }],
      },
    },
  });
  const s = state();
  assert.equal(p.preScore(s, incoming, nodes, view(nodes)), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(s, incoming, n)));
  assert.deepEqual([...scores], [50, -50, 0]);
  p.normalize(s, incoming, scores);
  assert.deepEqual([...scores], [100, 0, 50]);
});
