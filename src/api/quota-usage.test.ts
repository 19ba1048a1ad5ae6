import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeUsage, missingComputeResources } from './quota-usage.js';

const pod = (requests: Record<string, string>, extra: Partial<Pod['spec']> = {}, phase?: string): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests, limits: requests } }], ...extra },
  ...(phase ? { status: { phase } } : {}),
});

void test('usage only for the hard names; scopes filter pods; terminal pods are free', () => {
  const used = computeUsage(
    ['pods', 'requests.cpu', 'secrets', 'unknown.example.com/thing'],
    ['NotTerminating'],
    {
      pods: [
        pod({ cpu: '1' }),
        pod({ cpu: '2' }, { activeDeadlineSeconds: 10 }),
        pod({ cpu: '4' }, {}, 'Failed'),
      ],
      services: [],
      persistentVolumeClaims: [],
      counts: new Map([['count/secrets', 3]]),
    },
  );
  assert.deepEqual(used, { pods: '1', 'requests.cpu': '1', secrets: '3' });
});

void test('claims: count, storage, per storage class', () => {
  const used = computeUsage(
    ['persistentvolumeclaims', 'requests.storage', 'gold.storageclass.storage.k8s.io/requests.storage'],
    [],
    {
      pods: [],
      services: [],
      persistentVolumeClaims: [
        { spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } } },
        { spec: { resources: { requests: { storage: '512Mi' } } } },
      ],
      counts: new Map(),
    },
  );
  assert.deepEqual(used, {
    persistentvolumeclaims: '2',
    'requests.storage': '1536Mi',
    'gold.storageclass.storage.k8s.io/requests.storage': '1Gi',
  });
});

void test('quotas on cpu or memory need every container to state them', () => {
  const p: Pod = {
    spec: {
      containers: [
        { name: 'b', resources: { requests: { cpu: '1' } } },
        { name: 'a', resources: { limits: { memory: '1Gi' } } },
      ],
    },
  };
  assert.equal(missingComputeResources(p, ['pods']), undefined);
  assert.equal(
    missingComputeResources(p, ['cpu', 'limits.memory', 'pods']),
    'must specify cpu for: a; limits.memory for: b',
  );
});
