import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { NodeUnschedulable } from './node-unschedulable.js';

test('NodeUnschedulable', () => {
  const p = new NodeUnschedulable();
  const tolerating = {
    tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
  };
  const cases = [
    { name: 'schedulable node', cordoned: false, spec: {}, fails: false },
    { name: 'cordoned node', cordoned: true, spec: {}, fails: true },
    { name: 'cordoned node, tolerated', cordoned: true, spec: tolerating, fails: false },
  ];
  for (const c of cases) {
    const s = p.filter(state(), pod('p', c.spec), nodeInfo(node('n', { unschedulable: c.cordoned })));
    assert.equal(s !== null, c.fails, c.name);
    if (s)
      assert.deepEqual([s.code, s.reasons], ['UnschedulableAndUnresolvable', ['node(s) were unschedulable']]);
  }
});
