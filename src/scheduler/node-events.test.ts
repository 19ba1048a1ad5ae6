import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeSchedulingPropertiesChanged } from './node-events.js';
import { node } from './testing/fixtures.js';

test('node updates wake parked pods only when scheduling properties change', () => {
  const base = node('n', { labels: { zone: 'a' } });
  base.status!.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }];
  const changed = (f: (n: Node) => void): boolean => {
    const next = structuredClone(base);
    f(next);
    return nodeSchedulingPropertiesChanged(base, next);
  };
  assert.equal(
    changed((n) => (n.status!.conditions![0]!.lastHeartbeatTime = '2026-01-01T00:00:10Z')),
    false,
    'heartbeat',
  );
  assert.equal(
    changed((n) => (n.status!.conditions![0]!.status = 'False')),
    true,
    'Ready flips',
  );
  assert.equal(
    changed((n) => (n.metadata!.labels!.zone = 'b')),
    true,
    'labels',
  );
  assert.equal(
    changed((n) => (n.spec!.taints = [{ key: 'k', effect: 'NoSchedule' }])),
    true,
    'taints',
  );
  assert.equal(
    changed((n) => (n.spec!.unschedulable = true)),
    true,
    'cordon',
  );
  assert.equal(
    changed((n) => (n.status!.allocatable!.cpu = '8')),
    true,
    'allocatable',
  );
});
