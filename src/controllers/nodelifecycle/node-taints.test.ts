import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import {
  desiredNoExecuteTaints,
  desiredNoScheduleTaints,
  matchingTolerations,
  minTolerationMs,
  reconcileTaints,
} from './node-taints.js';

const node = (conditions: Record<string, string>, unschedulable = false): Node => ({
  metadata: { name: 'n' },
  spec: { unschedulable },
  status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
});

void test('condition taints follow Ready, pressure conditions and spec.unschedulable', () => {
  assert.deepEqual(desiredNoScheduleTaints(node({ Ready: 'True' })), []);
  assert.deepEqual(desiredNoScheduleTaints(node({ Ready: 'False', DiskPressure: 'True' }, true)), [
    'node.kubernetes.io/not-ready',
    'node.kubernetes.io/disk-pressure',
    'node.kubernetes.io/unschedulable',
  ]);
  assert.deepEqual(desiredNoExecuteTaints(node({ Ready: 'Unknown' })), ['node.kubernetes.io/unreachable']);
  assert.deepEqual(desiredNoExecuteTaints(node({ Ready: 'False' })), ['node.kubernetes.io/not-ready']);
  assert.deepEqual(desiredNoExecuteTaints(node({ Ready: 'True' })), []);
});

void test('reconcileTaints swaps managed taints, keeps foreign ones and stamps new NoExecute taints', () => {
  const current = [
    { key: 'dedicated', value: 'db', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'earlier' },
  ];
  assert.deepEqual(
    reconcileTaints(current, ['node.kubernetes.io/unreachable'], ['node.kubernetes.io/unreachable'], 'now'),
    [
      { key: 'dedicated', value: 'db', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'now' },
    ],
  );
  assert.deepEqual(reconcileTaints(current, [], ['node.kubernetes.io/not-ready'], 'now'), current);
});

void test('toleration matching and the shortest tolerationSeconds', () => {
  const taints = [
    { key: 'a', effect: 'NoExecute' },
    { key: 'b', effect: 'NoExecute' },
  ];
  assert.equal(matchingTolerations(taints, [{ key: 'a', operator: 'Exists' }]).allTolerated, false);
  const { allTolerated, used } = matchingTolerations(taints, [
    { key: 'a', operator: 'Exists', tolerationSeconds: 30 },
    { key: 'b', operator: 'Exists', tolerationSeconds: 10 },
  ]);
  assert.ok(allTolerated);
  assert.equal(minTolerationMs(used), 10_000);
  assert.equal(minTolerationMs([{ key: 'a', operator: 'Exists' }]), undefined);
  assert.equal(minTolerationMs([{ key: 'a', tolerationSeconds: -5 }]), 0);
});
