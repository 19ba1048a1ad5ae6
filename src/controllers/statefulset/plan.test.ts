import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REVISION_HASH_LABEL } from '../history/index.js';
import { ordinalOf } from './identity.js';
import { planStatefulSet, type PlanInput, type Slot } from './plan.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function pod(
  ordinal: number,
  opts: { ready?: boolean; phase?: string; revision?: string; terminating?: boolean } = {},
): Pod {
  return {
    metadata: {
      name: `web-${ordinal}`,
      labels: { [REVISION_HASH_LABEL]: opts.revision ?? 'rev-1' },
      ...(opts.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: (opts.ready ?? true) ? 'True' : 'False' }],
    },
  };
}

function input(slots: Slot[], over: Partial<PlanInput> = {}): PlanInput {
  return {
    replicas: slots,
    condemned: [],
    monotonic: true,
    strategy: 'RollingUpdate',
    partitionOrdinal: 0,
    currentRevision: 'rev-1',
    updateRevision: 'rev-1',
    minReadySeconds: 0,
    nowMs: NOW,
    ...over,
  };
}

const summary = (i: PlanInput): string[] =>
  planStatefulSet(i).actions.map((a) =>
    a.kind === 'create' ? `create ${a.ordinal}@${a.revision}` : `delete ${a.pod.metadata?.name} (${a.why})`,
  );

test('ordinalOf parses <set>-<n> only', () => {
  assert.equal(ordinalOf('web', 'web-0'), 0);
  assert.equal(ordinalOf('web', 'web-12'), 12);
  assert.equal(ordinalOf('web', 'web-01'), -1);
  assert.equal(ordinalOf('web', 'web-x'), -1);
  assert.equal(ordinalOf('web', 'webs-1'), -1);
});

test('OrderedReady creates the lowest missing ordinal only', () => {
  assert.deepEqual(summary(input([{ ordinal: 0 }, { ordinal: 1 }, { ordinal: 2 }])), ['create 0@rev-1']);
  assert.deepEqual(summary(input([{ ordinal: 0, pod: pod(0) }, { ordinal: 1 }, { ordinal: 2 }])), [
    'create 1@rev-1',
  ]);
});

test('OrderedReady waits for a predecessor that is not Running and Ready', () => {
  assert.deepEqual(summary(input([{ ordinal: 0, pod: pod(0, { ready: false }) }, { ordinal: 1 }])), []);
  assert.deepEqual(
    summary(input([{ ordinal: 0, pod: pod(0, { phase: 'Pending', ready: false }) }, { ordinal: 1 }])),
    [],
  );
  assert.deepEqual(summary(input([{ ordinal: 0, pod: pod(0, { terminating: true }) }, { ordinal: 1 }])), []);
});

test('Parallel creates every missing ordinal at once', () => {
  const slots = [{ ordinal: 0, pod: pod(0, { ready: false }) }, { ordinal: 1 }, { ordinal: 2 }];
  assert.deepEqual(summary(input(slots, { monotonic: false })), ['create 1@rev-1', 'create 2@rev-1']);
});

test('a failed pod is deleted first and nothing else happens in order', () => {
  const slots = [{ ordinal: 0, pod: pod(0, { phase: 'Failed', ready: false }) }, { ordinal: 1 }];
  assert.deepEqual(summary(input(slots)), ['delete web-0 (failed)']);
});

test('scale down removes the highest ordinal, one at a time, once the rest are ready', () => {
  const slots = [{ ordinal: 0, pod: pod(0) }];
  const condemned = [1, 2].map((o) => ({ ordinal: o, pod: pod(o) }));
  assert.deepEqual(summary(input(slots, { condemned })), ['delete web-2 (condemned)']);
  assert.deepEqual(summary(input(slots, { condemned, monotonic: false })), [
    'delete web-2 (condemned)',
    'delete web-1 (condemned)',
  ]);
  const terminating = [
    { ordinal: 1, pod: pod(1) },
    { ordinal: 2, pod: pod(2, { terminating: true }) },
  ];
  assert.deepEqual(summary(input(slots, { condemned: terminating })), []);
  // A replica that is not ready blocks scale down.
  assert.deepEqual(summary(input([{ ordinal: 0, pod: pod(0, { ready: false }) }], { condemned })), []);
});

test('rolling update deletes the highest outdated ordinal at or above the partition', () => {
  const slots = [0, 1, 2].map((o) => ({ ordinal: o, pod: pod(o) }));
  const update = { updateRevision: 'rev-2' };
  assert.deepEqual(summary(input(slots, update)), ['delete web-2 (update)']);
  const twoUpdated = [
    { ordinal: 0, pod: pod(0) },
    { ordinal: 1, pod: pod(1) },
    { ordinal: 2, pod: pod(2, { revision: 'rev-2' }) },
  ];
  assert.deepEqual(summary(input(twoUpdated, update)), ['delete web-1 (update)']);
  assert.deepEqual(summary(input(twoUpdated, { ...update, partitionOrdinal: 2 })), []);
  const notReady = [
    { ordinal: 0, pod: pod(0) },
    { ordinal: 1, pod: pod(1) },
    { ordinal: 2, pod: pod(2, { revision: 'rev-2', ready: false }) },
  ];
  assert.deepEqual(summary(input(notReady, update)), []);
  assert.deepEqual(summary(input(slots, { ...update, strategy: 'OnDelete' })), []);
});

test('maxUnavailable lets several outdated pods go at once', () => {
  const slots = [0, 1, 2, 3].map((o) => ({ ordinal: o, pod: pod(o) }));
  assert.deepEqual(summary(input(slots, { updateRevision: 'rev-2', maxUnavailable: 2 })), [
    'delete web-3 (update)',
    'delete web-2 (update)',
  ]);
});

test('a recreated pod below the partition keeps the current revision', () => {
  const slots = [
    { ordinal: 0 },
    { ordinal: 1, pod: pod(1) },
    { ordinal: 2, pod: pod(2, { revision: 'rev-2' }) },
  ];
  assert.deepEqual(summary(input(slots, { updateRevision: 'rev-2', partitionOrdinal: 2 })), [
    'create 0@rev-1',
  ]);
  assert.deepEqual(summary(input(slots, { updateRevision: 'rev-2', partitionOrdinal: 0 })), [
    'create 0@rev-2',
  ]);
});

test('minReadySeconds makes OrderedReady wait and asks to look again', () => {
  const readySince = new Date(NOW - 2000).toISOString();
  const p = pod(0);
  p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }];
  const plan = planStatefulSet(input([{ ordinal: 0, pod: p }, { ordinal: 1 }], { minReadySeconds: 10 }));
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.requeueAfterMs, 8000);
});
