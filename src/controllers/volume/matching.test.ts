import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { findMatchingVolume } from './matching.js';

const pv = (
  name: string,
  size: string,
  spec: Partial<PersistentVolume['spec']> = {},
  phase = 'Available',
): PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'x', ...spec },
  status: { phase },
});
const claim: PersistentVolumeClaim = {
  metadata: { name: 'c', namespace: 'ns', uid: 'u1' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1500Mi' } },
    storageClassName: 'x',
  },
};

void test('smallest fitting Available volume of the same class, mode and access modes', () => {
  const volumes = [
    pv('tiny', '1Gi'),
    pv('huge', '100Gi'),
    pv('ok', '2Gi'),
    pv('released', '2Gi', {}, 'Released'),
    pv('rox', '2Gi', { accessModes: ['ReadOnlyMany'] }),
    pv('block', '2Gi', { volumeMode: 'Block' }),
    pv('taken', '2Gi', { claimRef: { namespace: 'ns', name: 'other' } }),
  ];
  assert.equal(findMatchingVolume(claim, volumes, { delayBinding: false })?.metadata?.name, 'ok');
  assert.equal(findMatchingVolume(claim, volumes, { delayBinding: true }), undefined);
});

void test('a volume pre-bound to the claim wins', () => {
  const volumes = [
    pv('ok', '2Gi'),
    pv('mine', '50Gi', { claimRef: { namespace: 'ns', name: 'c' } }, 'Pending'),
  ];
  assert.equal(findMatchingVolume(claim, volumes, { delayBinding: false })?.metadata?.name, 'mine');
});
