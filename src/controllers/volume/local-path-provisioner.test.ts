import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { findMatchingVolume } from './matching.js';
import { localPathVolume } from './local-path-provisioner.js';

const pvc: PersistentVolumeClaim = {
  metadata: { name: 'data', namespace: 'shop', uid: 'u-1', resourceVersion: '7' },
  spec: {
    storageClassName: 'local-path',
    accessModes: ['ReadWriteOncePod'],
    resources: { requests: { storage: '3Gi' } },
  },
};

void test('a provisioned volume: the claim size and modes, the class policy, pinned to the node, pre-bound', () => {
  const pv = localPathVolume(
    pvc,
    { metadata: { name: 'local-path' }, provisioner: 'tugboat.dev/local-path', reclaimPolicy: 'Retain' },
    { name: 'n1', hostname: 'host-1' },
    '/data/storage',
  );
  assert.equal(pv.metadata?.name, 'pvc-u-1');
  assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'tugboat.dev/local-path');
  assert.equal(pv.spec?.local?.path, '/data/storage/u-1_shop_data');
  assert.deepEqual(pv.spec?.capacity, { storage: '3Gi' });
  assert.deepEqual(pv.spec?.accessModes, ['ReadWriteOncePod']);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec?.storageClassName, 'local-path');
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-1'] }] },
  ]);
  assert.deepEqual(
    { ...pv.spec?.claimRef },
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      namespace: 'shop',
      name: 'data',
      uid: 'u-1',
      resourceVersion: '7',
    },
  );
  // The binder takes it for the claim on that node only.
  const on = (host: string) => ({ metadata: { name: host, labels: { 'kubernetes.io/hostname': host } } });
  assert.equal(findMatchingVolume(pvc, [pv], { delayBinding: true, node: on('host-1') }), pv);
  assert.equal(findMatchingVolume(pvc, [pv], { delayBinding: true, node: on('host-2') }), undefined);
});
