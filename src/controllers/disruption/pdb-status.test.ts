import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  countHealthy,
  DELETION_TIMEOUT_MS,
  expectedPodCount,
  liveDisruptedPods,
  pdbStatus,
} from './pdb-status.js';

const pdb = (
  spec: PodDisruptionBudget['spec'],
  status?: PodDisruptionBudget['status'],
): PodDisruptionBudget => ({
  metadata: { name: 'b', generation: 3 },
  spec,
  ...(status ? { status } : {}),
});
const pod = (name: string, ready: boolean, deleting = false): Pod => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

void test('expected counts for minAvailable and maxUnavailable, ints and percentages', () => {
  assert.deepEqual(
    expectedPodCount(pdb({ minAvailable: 2 }), 5, () => 9),
    { expectedCount: 5, desiredHealthy: 2 },
  );
  assert.deepEqual(
    expectedPodCount(pdb({ minAvailable: '50%' }), 5, () => 9),
    { expectedCount: 9, desiredHealthy: 5 },
  );
  assert.deepEqual(
    expectedPodCount(pdb({ maxUnavailable: 1 }), 5, () => 4),
    { expectedCount: 4, desiredHealthy: 3 },
  );
  assert.deepEqual(
    expectedPodCount(pdb({ maxUnavailable: '30%' }), 5, () => 4),
    { expectedCount: 4, desiredHealthy: 2 },
  );
  assert.deepEqual(
    expectedPodCount(pdb({ maxUnavailable: 10 }), 5, () => 4),
    { expectedCount: 4, desiredHealthy: 0 },
  );
});

void test('disrupted pods count as unhealthy until deleted or timed out', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const recent = new Date(now - 1000).toISOString();
  const stale = new Date(now - DELETION_TIMEOUT_MS - 1000).toISOString();
  const budget = pdb(
    {},
    {
      disruptedPods: { a: recent, b: stale, c: recent },
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    },
  );
  const pods = [pod('a', true), pod('b', true), pod('c', true, true)];
  const { disrupted, recheckMs } = liveDisruptedPods(budget, pods, now);
  assert.deepEqual(Object.keys(disrupted), ['a']);
  assert.equal(recheckMs, now - 1000 + DELETION_TIMEOUT_MS);
  assert.equal(countHealthy(pods, disrupted), 1);
});

void test('status: allowed disruptions and the DisruptionAllowed condition', () => {
  const s = pdbStatus(pdb({ minAvailable: 1 }), { expectedCount: 3, desiredHealthy: 1 }, 3, {}, 0);
  assert.equal(s.disruptionsAllowed, 2);
  assert.equal(s.observedGeneration, 3);
  assert.equal(s.conditions?.[0]?.reason, 'SufficientPods');
  const none = pdbStatus(pdb({ minAvailable: 1 }), { expectedCount: 0, desiredHealthy: 0 }, 0, {}, 0);
  assert.equal(none.disruptionsAllowed, 0);
  assert.equal(none.conditions?.[0]?.status, 'False');
  assert.equal(none.conditions?.[0]?.reason, 'InsufficientPods');
});
