import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { rfc3339 } from '../../util/clock.js';
import { getCondition, rolloutStatus, stuckRequeueMs } from './progress.js';

const now = Date.parse('2026-01-01T12:00:00Z');

function deploy(status: DeploymentStatus): Deployment {
  return {
    metadata: { name: 'web', generation: 2 },
    spec: { replicas: 3, progressDeadlineSeconds: 60, selector: {}, template: {} },
    status,
  };
}

const rs = (name: string, replicas: number, available: number): ReplicaSet => ({
  metadata: { name },
  spec: { replicas, selector: {} },
  status: { replicas, readyReplicas: available, availableReplicas: available },
});

const progressing = (reason: string, secondsAgo: number) => ({
  type: 'Progressing',
  status: 'True',
  reason,
  lastUpdateTime: rfc3339(now - secondsAgo * 1000),
  lastTransitionTime: rfc3339(now - 600_000),
});

test('progress refreshes lastUpdateTime but keeps lastTransitionTime', () => {
  const d = deploy({
    replicas: 3,
    updatedReplicas: 1,
    conditions: [progressing('NewReplicaSetCreated', 30)],
  });
  const status = rolloutStatus(d, [rs('old', 1, 1), rs('new', 2, 1)], rs('new', 2, 1), now);
  const cond = getCondition(status, 'Progressing');
  assert.equal(cond?.reason, 'ReplicaSetUpdated');
  assert.equal(cond?.message, 'ReplicaSet "new" is progressing.');
  assert.equal(cond?.lastUpdateTime, rfc3339(now));
  assert.equal(cond?.lastTransitionTime, rfc3339(now - 600_000));
});

test('no progress past the deadline is ProgressDeadlineExceeded; before it, a requeue is due', () => {
  const stale = deploy({
    replicas: 3,
    updatedReplicas: 1,
    readyReplicas: 2,
    availableReplicas: 2,
    conditions: [progressing('ReplicaSetUpdated', 61)],
  });
  const rss = [rs('old', 2, 2), rs('new', 1, 0)];
  const timedOut = getCondition(rolloutStatus(stale, rss, rss[1], now), 'Progressing');
  assert.equal(timedOut?.reason, 'ProgressDeadlineExceeded');
  assert.equal(timedOut?.status, 'False');
  assert.equal(timedOut?.message, 'ReplicaSet "new" has timed out progressing.');

  const recent = deploy({ ...stale.status, conditions: [progressing('ReplicaSetUpdated', 20)] });
  const status = rolloutStatus(recent, rss, rss[1], now);
  assert.equal(getCondition(status, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.equal(stuckRequeueMs(recent, status, now), 41_000);
});

test('a complete rollout is NewReplicaSetAvailable with minimum availability', () => {
  const d = deploy({ replicas: 3, updatedReplicas: 2, conditions: [progressing('ReplicaSetUpdated', 5)] });
  const status = rolloutStatus(d, [rs('new', 3, 3)], rs('new', 3, 3), now);
  assert.equal(getCondition(status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(getCondition(status, 'Available')?.reason, 'MinimumReplicasAvailable');
  assert.equal(status.observedGeneration, 2);
  assert.equal(stuckRequeueMs(d, status, now), undefined);
});
