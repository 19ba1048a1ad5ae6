import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from './util.js';

const deploy = (replicas: number, surge: number | string, unavailable: number | string): Deployment => ({
  metadata: {
    name: 'web',
    annotations: { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '9' },
  },
  spec: {
    replicas,
    selector: {},
    template: {},
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
  },
});

const rs = (name: string, replicas: number, created: string, max?: number): ReplicaSet => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(max !== undefined ? { annotations: { 'deployment.kubernetes.io/max-replicas': String(max) } } : {}),
  },
  spec: { replicas, selector: {} },
});

test('maxSurge rounds up, maxUnavailable rounds down, both zero gives one unavailable', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('10%', '10%', 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, '10%', 3), { surge: 0, unavailable: 1 });
  assert.equal(maxSurge(deploy(10, '25%', '25%')), 3);
  assert.equal(maxUnavailable(deploy(2, 0, 5)), 2, 'never more than replicas');
  assert.equal(
    maxUnavailable({ spec: { selector: {}, template: {}, replicas: 3, strategy: { type: 'Recreate' } } }),
    0,
  );
});

test('the new ReplicaSet grows only up to replicas + maxSurge in total', () => {
  const d = deploy(10, 3, 2);
  const old = rs('old', 10, '2026-01-01T00:00:00Z');
  const fresh = rs('new', 0, '2026-01-01T01:00:00Z');
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 3);
  const grown = rs('new', 3, '2026-01-01T01:00:00Z');
  assert.equal(newRSNewReplicas(d, [rs('old', 8, '2026-01-01T00:00:00Z'), grown], grown), 5);
  assert.equal(newRSNewReplicas(d, [old, grown], grown), 3, 'already at 13');
});

test('proportional scaling shares the difference by size, leftovers to the largest', () => {
  const d = deploy(20, 3, 2);
  const sizes = proportionalSizes(d, [
    rs('old', 8, '2026-01-01T00:00:00Z', 13),
    rs('new', 5, '2026-01-01T01:00:00Z', 13),
  ]);
  assert.deepEqual(
    sizes.map((s) => [s.rs.metadata?.name, s.size]),
    [
      ['old', 14],
      ['new', 9],
    ],
  );
  const down = proportionalSizes(deploy(5, 3, 2), [
    rs('old', 14, '2026-01-01T00:00:00Z', 23),
    rs('new', 9, '2026-01-01T01:00:00Z', 23),
  ]);
  assert.equal(
    down.reduce((n, s) => n + s.size, 0),
    8,
  );
});

const annotationsOf = (r: ReplicaSet): Record<string, string> => r.metadata?.annotations ?? {};

test('annotations: deployment annotations copied, revision raised, history kept on reuse', () => {
  const d = deploy(3, 1, 0);
  const fresh: ReplicaSet = { metadata: { name: 'web-a' } };
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 1, false));
  assert.deepEqual(fresh.metadata?.annotations, {
    'kubernetes.io/change-cause': 'v2',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  assert.equal(setNewReplicaSetAnnotations(d, fresh, 1, true), false);
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 3, true));
  assert.equal(annotationsOf(fresh)['deployment.kubernetes.io/revision'], '3');
  assert.equal(annotationsOf(fresh)['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, fresh, 5, true);
  assert.equal(annotationsOf(fresh)['deployment.kubernetes.io/revision-history'], '1,3');
});
