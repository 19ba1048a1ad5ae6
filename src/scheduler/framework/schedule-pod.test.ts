import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSchedulerConfig } from '../config.js';
import { node, nodeInfo, pod, view } from '../testing/fixtures.js';
import { FitError } from './fit-error.js';
import { NominatedPods } from '../nominator.js';
import { numFeasibleNodesToFind, PodScheduler } from './schedule-pod.js';
import type { Status } from './types.js';

test('numFeasibleNodesToFind: adaptive percentage as upstream', () => {
  const cases: [number, number, number][] = [
    [10, 0, 10],
    [99, 0, 99],
    [100, 0, 100],
    [1000, 0, 420], // 50 - 8 = 42%
    [5000, 0, 500], // 50 - 40 = 10%
    [6000, 0, 300], // 50 - 48 = 2% → 5%
    [1000, 50, 500],
    [150, 10, 100],
  ];
  for (const [n, pct, want] of cases)
    assert.equal(numFeasibleNodesToFind(n, pct), want, `${n} nodes at ${pct}%`);
});

test('FitError message and bounded per-node details', () => {
  const st = (reason: string, detail?: string): Status => ({
    code: 'Unschedulable',
    reasons: [reason],
    ...(detail ? { detail } : {}),
  });
  const statuses = new Map<string, Status>();
  for (let i = 0; i < 25; i++)
    statuses.set(
      `node-${String(i).padStart(2, '0')}`,
      st('Insufficient cpu', 'Insufficient cpu (requested 2, free 1)'),
    );
  statuses.set('tainted', st('node(s) had untolerated taint {k: v}'));
  const e = new FitError(26, statuses);
  e.postFilterMsg = 'preemption: 0/26 nodes are available: 26 No preemption victims found for incoming pod.';
  assert.equal(
    e.message(),
    '0/26 nodes are available: 1 node(s) had untolerated taint {k: v}, 25 Insufficient cpu. preemption: 0/26 nodes are available: 26 No preemption victims found for incoming pod.',
  );
  const lines = e.details();
  assert.equal(lines.length, 21);
  assert.equal(lines[0], 'node-00: Insufficient cpu (requested 2, free 1)');
  assert.equal(lines[20], 'and 6 more');
});

test('PodScheduler: picks the best-scoring feasible node and rotates its start index', () => {
  const fwk = defaultSchedulerConfig().profiles[0]!;
  const nodes = [
    nodeInfo(node('busy', { cpu: '4' }), pod('x', {}, { requests: { cpu: '3' } })),
    nodeInfo(node('idle', { cpu: '4' })),
    nodeInfo(node('tiny', { cpu: '100m' })),
  ];
  const s = new PodScheduler();
  const r = s.schedule(fwk, pod('p', {}, { requests: { cpu: '500m' } }), view(nodes), new NominatedPods());
  assert.ok('ok' in r);
  assert.equal(r.ok.node, 'idle');
  assert.equal(r.ok.feasibleNodes, 2);

  const fail = s.schedule(
    fwk,
    pod('huge', {}, { requests: { cpu: '16' } }),
    view(nodes),
    new NominatedPods(),
  );
  assert.ok('fit' in fail);
  assert.equal(fail.fit.message(), '0/3 nodes are available: 3 Insufficient cpu.');
});

test('PodScheduler: nominated pods of higher priority keep their room', () => {
  const fwk = defaultSchedulerConfig().profiles[0]!;
  const nodes = [nodeInfo(node('n', { cpu: '2' }))];
  const nominator = new NominatedPods();
  nominator.set(pod('preemptor', {}, { priority: 100, requests: { cpu: '1500m' } }), 'n');
  const s = new PodScheduler();
  const low = s.schedule(
    fwk,
    pod('low', {}, { priority: 0, requests: { cpu: '1' } }),
    view(nodes),
    nominator,
  );
  assert.ok('fit' in low);
  const higher = s.schedule(
    fwk,
    pod('higher', {}, { priority: 200, requests: { cpu: '1' } }),
    view(nodes),
    nominator,
  );
  assert.ok('ok' in higher);
});
