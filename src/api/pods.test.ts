import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequestsMilli, podResourceTotals } from './pods.js';
import { formatQuantity } from './quantity.js';

const totals = (pod: Pod, kind: 'requests' | 'limits', overhead = false): Record<string, string> =>
  Object.fromEntries([...podResourceTotals(pod, kind, overhead)].map(([k, q]) => [k, formatQuantity(q)]));

void test('pod totals: app containers add up, raised to the largest init container, overhead on request', () => {
  const pod: Pod = {
    spec: {
      containers: [
        { name: 'a', resources: { requests: { cpu: '100m' } } },
        { name: 'b', resources: { requests: { cpu: '200m' } } },
      ],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
      overhead: { cpu: '10m' },
    },
  };
  assert.deepEqual(totals(pod, 'requests'), { cpu: '500m', memory: '1Gi' });
  assert.deepEqual(totals(pod, 'requests', true), { cpu: '510m', memory: '1Gi' });
  assert.deepEqual(Object.fromEntries(podRequestsMilli(pod)), { cpu: 510n, memory: 1024n ** 3n * 1000n });
});

void test('pod totals: sidecars run beside the app and beside the init containers after them', () => {
  const pod: Pod = {
    spec: {
      containers: [{ name: 'app', resources: { limits: { cpu: '300m' } } }],
      initContainers: [
        { name: 'setup', resources: { limits: { cpu: '1' } } },
        { name: 'proxy', restartPolicy: 'Always', resources: { limits: { cpu: '200m', memory: '64Mi' } } },
        { name: 'migrate', resources: { limits: { cpu: '900m' } } },
      ],
    },
  };
  // app + proxy = 500m; setup alone needs 1; migrate runs beside proxy: 1100m, the peak.
  assert.deepEqual(totals(pod, 'limits'), { cpu: '1100m', memory: '64Mi' });
  assert.deepEqual(totals(pod, 'requests'), {});
});
