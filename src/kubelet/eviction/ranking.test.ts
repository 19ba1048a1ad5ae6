import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { plentifulReadings } from '../node/testing.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { evictionMessage, pressureSignals, rankForEviction, type PodUsage } from './ranking.js';

const Mi = 1024 * 1024;
const healthy = plentifulReadings();

void test('signals: only the thresholds crossed, memory first', () => {
  assert.deepEqual(pressureSignals(healthy, DEFAULT_THRESHOLDS), []);
  const starved = pressureSignals(
    { ...healthy, memoryAvailableBytes: 50 * Mi, fsAvailableBytes: 5_000 * Mi },
    DEFAULT_THRESHOLDS,
  );
  assert.deepEqual(starved, [
    { resource: 'memory', signal: 'memory.available', threshold: '100Mi', available: '50Mi' },
    { resource: 'ephemeral-storage', signal: 'nodefs.available', threshold: '10%', available: '5000Mi' },
  ]);
});

function usage(name: string, used: number, opts: { request?: string; priority?: number } = {}): PodUsage {
  const pod: Pod = {
    metadata: { name, uid: name },
    spec: {
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
      containers: [
        { name: 'app', ...(opts.request ? { resources: { requests: { memory: opts.request } } } : {}) },
      ],
    },
  };
  return { pod, containers: new Map([['app', used]]) };
}

void test('memory: over-request pods first, then lower priority, then the largest excess', () => {
  const within = usage('within', 400 * Mi, { request: '512Mi' });
  const smallExcess = usage('small', 100 * Mi, { request: '64Mi' });
  const bigExcess = usage('big', 300 * Mi);
  const important = usage('important', 900 * Mi, { priority: 1000 });
  const order = rankForEviction('memory', [within, important, smallExcess, bigExcess]).map(
    (u) => u.pod.metadata?.name,
  );
  assert.deepEqual(order, ['big', 'small', 'important', 'within']);
});

void test('the message names the signal and the containers using more than requested', () => {
  const [signal] = pressureSignals({ ...healthy, memoryAvailableBytes: 50 * Mi }, DEFAULT_THRESHOLDS);
  assert.equal(
    evictionMessage(signal!, usage('big', 300 * Mi)),
    'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. ' +
      'Container app was using 300Mi, request is 0, has larger consumption of memory. ',
  );
});
