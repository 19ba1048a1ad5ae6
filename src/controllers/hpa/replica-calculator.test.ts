import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../util/clock.js';
import {
  averageValueReplicas,
  CalculationError,
  podRequests,
  resourceReplicas,
  type CalculatorConfig,
  type PodMetrics,
} from './replica-calculator.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const cfg: CalculatorConfig = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  initialReadinessDelayMs: 30_000,
  nowMs: NOW,
};

function pod(
  name: string,
  opts: { phase?: string; ready?: boolean; startedAgoMs?: number; request?: string } = {},
): Pod {
  const started = rfc3339(NOW - (opts.startedAgoMs ?? 3_600_000));
  return {
    metadata: { name },
    spec: {
      containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: opts.request ?? '100m' } } }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: started,
      conditions: [
        { type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: started },
      ],
    },
  };
}

const metrics = (entries: [string, number][]): PodMetrics =>
  new Map(entries.map(([n, v]) => [n, { valueMilli: v, timestampMs: NOW, windowMs: 15_000 }]));

test('scales by the utilization ratio over ready pods', () => {
  const pods = [pod('a'), pod('b')];
  const r = resourceReplicas(
    2,
    50,
    'cpu',
    metrics([
      ['a', 100],
      ['b', 100],
    ]),
    pods,
    cfg,
  );
  assert.equal(r.replicas, 4);
  assert.equal(r.utilization, 100);
  assert.equal(r.rawAverageMilli, 100);
});

test('within tolerance keeps the current count', () => {
  const r = resourceReplicas(
    2,
    50,
    'cpu',
    metrics([
      ['a', 54],
      ['b', 54],
    ]),
    [pod('a'), pod('b')],
    cfg,
  );
  assert.equal(r.replicas, 2);
});

test('missing pods count as full use on scale-down, zero on scale-up', () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  // a, b at 10% → scale down; c missing counts as 100% → ratio (10+10+100)/300*100 = 40% of 50 → 0.8.
  const down = resourceReplicas(
    3,
    50,
    'cpu',
    metrics([
      ['a', 10],
      ['b', 10],
    ]),
    pods,
    cfg,
  );
  assert.equal(down.replicas, 3);
  const up = resourceReplicas(
    3,
    50,
    'cpu',
    metrics([
      ['a', 200],
      ['b', 200],
    ]),
    pods,
    cfg,
  );
  // (200+200+0)/300 = 133% / 50 → ratio 2.66 → ceil(2.66*3) = 8.
  assert.equal(up.replicas, 8);
});

test('unready pods within the cpu initialization period are left out of a scale-up', () => {
  const pods = [pod('a'), pod('b', { ready: false, startedAgoMs: 60_000 })];
  const r = resourceReplicas(
    2,
    50,
    'cpu',
    metrics([
      ['a', 100],
      ['b', 100],
    ]),
    pods,
    cfg,
  );
  // b is unready: counted as 0 → (100+0)/200 = 50% → at target → no change.
  assert.equal(r.replicas, 2);
});

test('pending, failed and deleted pods; missing requests are errors', () => {
  const pods = [pod('a'), pod('p', { phase: 'Pending' }), pod('f', { phase: 'Failed' })];
  const r = resourceReplicas(
    3,
    50,
    'cpu',
    metrics([
      ['a', 100],
      ['f', 900],
    ]),
    pods,
    cfg,
  );
  assert.equal(r.utilization, 100);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', metrics([]), [pod('a')], cfg), CalculationError);
  const noRequest: Pod = { ...pod('a'), spec: { containers: [{ name: 'c', image: 'x' }] } };
  assert.throws(
    () => resourceReplicas(1, 50, 'cpu', metrics([['a', 1]]), [noRequest], cfg),
    /missing request for cpu in container c of Pod a/,
  );
});

test('average value targets', () => {
  const pods = [pod('a'), pod('b')];
  const r = averageValueReplicas(
    2,
    100,
    'cpu',
    metrics([
      ['a', 300],
      ['b', 100],
    ]),
    pods,
    cfg,
  );
  assert.equal(r.replicas, 4);
  assert.equal(r.rawAverageMilli, 200);
});

test('requests count app and sidecar containers, or the named container alone', () => {
  const withSidecar: Pod = {
    metadata: { name: 'p' },
    spec: {
      initContainers: [
        { name: 'init', image: 'x', resources: { requests: { cpu: '5' } } },
        { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
      ],
      containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '100m' } } }],
    },
  };
  assert.equal(podRequests([withSidecar], 'cpu').get('p'), 300, 'plain init containers do not count');
  assert.equal(podRequests([withSidecar], 'cpu', 'proxy').get('p'), 200);
  assert.equal(podRequests([withSidecar], 'cpu', 'app').get('p'), 100);
  assert.throws(
    () => podRequests([withSidecar], 'cpu', 'web'),
    (e: unknown) => e instanceof CalculationError && e.message === 'container web not found in Pod p',
  );
  assert.throws(
    () => podRequests([withSidecar], 'memory', 'app'),
    /missing request for memory in container app of Pod p/,
  );
});
