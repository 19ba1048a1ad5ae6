import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { admitToNode } from './node-fit.js';

const node = (...pressures: string[]): Node => ({
  metadata: { name: 'n1' },
  status: {
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'True' },
      ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type,
        status: pressures.includes(type) ? 'True' : 'False',
      })),
    ],
  },
});

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, requests?: Record<string, string>): Pod => ({
  metadata: { name: 'p', uid: 'u' },
  spec: {
    containers: [{ name: 'c', image: 'i', ...(requests ? { resources: { requests } } : {}) }],
    ...spec,
  },
});

const refusal = (message: string) => ({ admit: false, reason: 'Evicted', message });

test('without pressure every pod is admitted', () => {
  assert.deepEqual(admitToNode(pod(), [], node()), { admit: true });
});

test('under memory pressure only BestEffort pods are refused, unless they tolerate the taint', () => {
  const n = node('MemoryPressure');
  assert.deepEqual(admitToNode(pod(), [], n), refusal('The node had condition: [MemoryPressure]. '));
  assert.deepEqual(admitToNode(pod({}, { memory: '64Mi' }), [], n), { admit: true });
  const tolerant = pod({ tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists' }] });
  assert.deepEqual(admitToNode(tolerant, [], n), { admit: true });
  const other = pod({ tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists' }] });
  assert.equal(admitToNode(other, [], n).admit, false);
});

test('under disk or PID pressure every pod is refused, but system-critical ones', () => {
  assert.deepEqual(
    admitToNode(pod({}, { memory: '64Mi' }), [], node('DiskPressure')),
    refusal('The node had condition: [DiskPressure]. '),
  );
  assert.deepEqual(
    admitToNode(pod(), [], node('MemoryPressure', 'PIDPressure')),
    refusal('The node had condition: [MemoryPressure PIDPressure]. '),
  );
  assert.deepEqual(admitToNode(pod({ priority: 2_000_001_000 }), [], node('DiskPressure')), { admit: true });
});
