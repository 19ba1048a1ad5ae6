import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { TaintToleration } from './taint-toleration.js';

test('TaintToleration filter', () => {
  const p = new TaintToleration();
  const cases: { name: string; taints: Taint[]; tolerations: Toleration[]; reason?: string }[] = [
    { name: 'no taints', taints: [], tolerations: [] },
    {
      name: 'NoSchedule untolerated',
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
      tolerations: [],
      reason: 'node(s) had untolerated taint {k: v}',
    },
    {
      name: 'NoExecute untolerated',
      taints: [{ key: 'k', effect: 'NoExecute' }],
      tolerations: [{ key: 'k', operator: 'Equal', value: 'x' }],
      reason: 'node(s) had untolerated taint {k: }',
    },
    {
      name: 'PreferNoSchedule never filters',
      taints: [{ key: 'k', effect: 'PreferNoSchedule' }],
      tolerations: [],
    },
    {
      name: 'tolerated by Exists',
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
    },
  ];
  for (const c of cases) {
    const s = p.filter(
      state(),
      pod('p', { tolerations: c.tolerations }),
      nodeInfo(node('n', { taints: c.taints })),
    );
    assert.deepEqual(s?.reasons, c.reason ? [c.reason] : undefined, c.name);
    if (s) assert.equal(s.code, 'UnschedulableAndUnresolvable');
  }
});

test('TaintToleration score: fewer untolerated PreferNoSchedule taints is better', () => {
  const p = new TaintToleration();
  const prefer = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
  const pi = pod('p', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  const nodes = [
    nodeInfo(node('clean')),
    nodeInfo(node('tolerated', { taints: [prefer('a')] })),
    nodeInfo(node('one', { taints: [prefer('b')] })),
    nodeInfo(node('two', { taints: [prefer('b'), prefer('c')] })),
  ];
  const scores = Float64Array.from(nodes.map((n) => p.score(state(), pi, n)));
  assert.deepEqual([...scores], [0, 0, 1, 2]);
  p.normalize(state(), pi, scores);
  assert.deepEqual([...scores], [100, 100, 50, 0]);
});
