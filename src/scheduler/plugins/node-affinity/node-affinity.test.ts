import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { NodeAffinity } from './node-affinity.js';

const required = (values: string[]): Partial<PodSpec> => ({
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values }] }],
      },
    },
  },
});

test('NodeAffinity filter: nodeSelector and required terms', () => {
  const p = new NodeAffinity();
  const n = nodeInfo(node('n', { labels: { zone: 'a', disk: 'ssd' } }));
  const cases: [string, Partial<PodSpec>, boolean][] = [
    ['no constraints', {}, true],
    ['matching selector', { nodeSelector: { disk: 'ssd' } }, true],
    ['mismatching selector', { nodeSelector: { disk: 'hdd' } }, false],
    ['missing label', { nodeSelector: { gpu: 'yes' } }, false],
    ['matching affinity', required(['a', 'b']), true],
    ['mismatching affinity', required(['b']), false],
  ];
  for (const [name, spec, fits] of cases) {
    const s = p.filter(state(), pod('p', spec), n);
    assert.equal(s === null, fits, name);
    if (s) assert.deepEqual(s.reasons, ["node(s) didn't match Pod's node affinity/selector"], name);
  }
});

test('NodeAffinity score: preferred weights, normalized to 100', () => {
  const p = new NodeAffinity();
  const spec: Partial<PodSpec> = {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
          { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
        ],
      },
    },
  };
  const pi = pod('p', spec);
  const nodes = [
    nodeInfo(node('a', { labels: { zone: 'a' } })),
    nodeInfo(node('b', { labels: { disk: 'ssd' } })),
    nodeInfo(node('c', { labels: { zone: 'a', disk: 'ssd' } })),
    nodeInfo(node('d')),
  ];
  const scores = Float64Array.from(nodes.map((n) => p.score(state(), pi, n)));
  assert.deepEqual([...scores], [10, 30, 40, 0]);
  p.normalize(state(), pi, scores);
  assert.deepEqual([...scores], [25, 75, 100, 0]);
});
