import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateStatus } from './status.js';

const now = Date.parse('2026-01-01T12:00:00Z');

const rs = (
  replicas: number,
  minReadySeconds = 0,
  status: ReplicaSet['status'] = { replicas: 0 },
): ReplicaSet => ({
  metadata: { name: 'web', generation: 2 },
  spec: {
    replicas,
    minReadySeconds,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web', tier: 'fe' } } },
  },
  status,
});

const pod = (labels: Record<string, string>, readySecondsAgo?: number): Pod => ({
  metadata: { labels },
  status: {
    phase: 'Running',
    conditions:
      readySecondsAgo === undefined
        ? []
        : [
            {
              type: 'Ready',
              status: 'True',
              lastTransitionTime: new Date(now - readySecondsAgo * 1000).toISOString(),
            },
          ],
  },
});

test('counts fully labeled, ready and available (minReadySeconds) pods', () => {
  const pods = [
    pod({ app: 'web', tier: 'fe' }, 100),
    pod({ app: 'web' }, 5),
    pod({ app: 'web', tier: 'fe' }),
  ];
  const s = calculateStatus(rs(3, 10), pods, undefined, now);
  assert.deepEqual(
    { ...s, conditions: undefined },
    {
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 0,
      conditions: undefined,
    },
  );
});

test('a failed create adds ReplicaFailure/FailedCreate; success clears it', () => {
  const failed = calculateStatus(rs(2), [], new Error('pods "web-x" is forbidden: exceeded quota'), now);
  assert.equal(failed.conditions?.[0]?.type, 'ReplicaFailure');
  assert.equal(failed.conditions?.[0]?.reason, 'FailedCreate');
  assert.match(failed.conditions?.[0]?.message ?? '', /exceeded quota/);
  const healed = calculateStatus(rs(2, 0, failed), [], undefined, now);
  assert.equal(healed.conditions, undefined);
});
