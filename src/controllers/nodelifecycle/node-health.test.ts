import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { conditionsAfterSilence, observeHeartbeats } from './node-health.js';

const node = (heartbeat: string): Node => ({
  metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat }] },
});

void test('the probe time moves only when a heartbeat or the lease renewal changes', () => {
  const first = observeHeartbeats(undefined, node('t1'), undefined, 100);
  assert.equal(first.probeMs, 100);
  assert.equal(observeHeartbeats(first, node('t1'), undefined, 200).probeMs, 100);
  assert.equal(observeHeartbeats(first, node('t2'), undefined, 300).probeMs, 300);
  const lease = { spec: { renewTime: '2026-01-01T00:00:10.000000Z' } };
  const leased = observeHeartbeats(first, node('t1'), lease, 400);
  assert.equal(leased.probeMs, 400);
  assert.equal(observeHeartbeats(leased, node('t1'), lease, 500).probeMs, 400);
  const older = { spec: { renewTime: '2026-01-01T00:00:05.000000Z' } };
  assert.equal(observeHeartbeats(leased, node('t1'), older, 600).probeMs, 400);
});

void test('silence turns the monitored conditions Unknown once', () => {
  const conditions = conditionsAfterSilence(node('t1'), 'now');
  assert.ok(conditions);
  const ready = conditions.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'Unknown');
  assert.equal(ready?.reason, 'NodeStatusUnknown');
  assert.equal(ready?.lastHeartbeatTime, 't1');
  assert.equal(conditions.find((c) => c.type === 'PIDPressure')?.reason, 'NodeStatusNeverUpdated');
  const again = conditionsAfterSilence({ ...node('t1'), status: { conditions } }, 'later');
  assert.equal(again, undefined);
});
