import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { NodeResourcesFit } from './fit.js';
import { NodeResourcesBalancedAllocation } from './balanced-allocation.js';

test('NodeResourcesFit filter: requests against allocatable minus requested', () => {
  const p = new NodeResourcesFit();
  const used = pod('used', {}, { requests: { cpu: '2500m', memory: '6Gi' } });
  const cases: {
    name: string;
    requests: Record<string, string>;
    pods?: string;
    extra?: Record<string, string>;
    detail?: string;
    reasons?: string[];
  }[] = [
    { name: 'fits', requests: { cpu: '1', memory: '1Gi' } },
    { name: 'exactly fits', requests: { cpu: '1500m', memory: '2Gi' } },
    {
      name: 'cpu short',
      requests: { cpu: '2' },
      reasons: ['Insufficient cpu'],
      detail: 'Insufficient cpu (requested 2, free 1.5)',
    },
    {
      name: 'cpu and memory short',
      requests: { cpu: '2', memory: '3Gi' },
      reasons: ['Insufficient cpu', 'Insufficient memory'],
      detail: 'Insufficient cpu (requested 2, free 1.5), Insufficient memory (requested 3Gi, free 2Gi)',
    },
    {
      name: 'extended resource missing on node',
      requests: { 'nvidia.com/gpu': '1' },
      reasons: ['Insufficient nvidia.com/gpu'],
      detail: 'Insufficient nvidia.com/gpu (requested 1, free 0)',
    },
    {
      name: 'extended resource available',
      requests: { 'nvidia.com/gpu': '1' },
      extra: { 'nvidia.com/gpu': '2' },
    },
    { name: 'pod count', requests: {}, pods: '1', reasons: ['Too many pods'] },
    {
      name: 'ephemeral storage',
      requests: { 'ephemeral-storage': '20Gi' },
      extra: { 'ephemeral-storage': '10Gi' },
      reasons: ['Insufficient ephemeral-storage'],
    },
  ];
  for (const c of cases) {
    const n = nodeInfo(
      node('n', {
        cpu: '4',
        memory: '8Gi',
        ...(c.pods ? { pods: c.pods } : {}),
        ...(c.extra ? { extra: c.extra } : {}),
      }),
      used,
    );
    const s = p.filter(state(), pod('p', {}, { requests: c.requests }), n);
    assert.deepEqual(s?.reasons, c.reasons, c.name);
    if (c.detail) assert.equal(s?.detail, c.detail, c.name);
    if (s) assert.equal(s.code, 'Unschedulable');
  }
});

test('NodeResourcesFit score: LeastAllocated spreads, MostAllocated packs', () => {
  const empty = nodeInfo(node('empty', { cpu: '4', memory: '8Gi' }));
  const half = nodeInfo(
    node('half', { cpu: '4', memory: '8Gi' }),
    pod('x', {}, { requests: { cpu: '2', memory: '4Gi' } }),
  );
  const incoming = pod('p', {}, { requests: { cpu: '1', memory: '2Gi' } });
  const least = new NodeResourcesFit();
  assert.equal(least.score(state(), incoming, empty), 75);
  assert.equal(least.score(state(), incoming, half), 25);
  const most = new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } });
  assert.equal(most.score(state(), incoming, empty), 25);
  assert.equal(most.score(state(), incoming, half), 75);
  // Pods without requests count as 100m cpu / 200Mi memory for scoring.
  const none = pod('none');
  assert.equal(least.score(state(), none, empty), Math.trunc((97 + 97) / 2));
});

test('NodeResourcesBalancedAllocation: equal cpu and memory fractions score best', () => {
  const p = new NodeResourcesBalancedAllocation();
  const n = nodeInfo(node('n', { cpu: '4', memory: '8Gi' }));
  assert.equal(p.score(state(), pod('even', {}, { requests: { cpu: '2', memory: '4Gi' } }), n), 100);
  assert.equal(p.score(state(), pod('skewed', {}, { requests: { cpu: '4', memory: '0' } }), n), 50);
});
