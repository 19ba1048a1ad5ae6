import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { admitClaimResize } from './claim-resize.js';

const classes: Record<string, object> = {
  grows: { metadata: { name: 'grows' }, allowVolumeExpansion: true },
  fixed: { metadata: { name: 'fixed' } },
};
const storage = {
  get: (_def: unknown, _ns: unknown, name: string) => Promise.resolve(classes[name]),
} as unknown as ObjectStorage;
const registry = { mustGet: () => ({}) } as unknown as Registry;

const claim = (storageClassName: string, size: string, phase = 'Bound'): PersistentVolumeClaim => ({
  metadata: { name: 'data' },
  spec: { storageClassName, resources: { requests: { storage: size } } },
  status: { phase },
});

const refusal = (p: Promise<void>): Promise<string> =>
  p.then(
    () => 'admitted',
    (e: unknown) => (e as Error).message,
  );

void test('claims grow only when bound and their class, unchanged, allows expansion', async () => {
  const admit = (next: PersistentVolumeClaim, old: PersistentVolumeClaim) =>
    refusal(admitClaimResize(storage, registry, next, old));
  assert.equal(await admit(claim('grows', '2Gi'), claim('grows', '1Gi')), 'admitted');
  assert.equal(
    await admit(claim('fixed', '1Gi'), claim('fixed', '1024Mi')),
    'admitted',
    'the same size is no growth',
  );
  assert.equal(
    await admit(claim('fixed', '1Gi'), claim('fixed', '2Gi')),
    'admitted',
    'shrinking is validation’s to refuse',
  );
  assert.equal(
    await admit(claim('grows', '2Gi', 'Pending'), claim('grows', '1Gi', 'Pending')),
    'persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded',
  );
  const unsupported =
    'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';
  assert.equal(await admit(claim('fixed', '2Gi'), claim('fixed', '1Gi')), unsupported);
  assert.equal(await admit(claim('', '2Gi'), claim('', '1Gi')), unsupported);
  assert.equal(await admit(claim('missing', '2Gi'), claim('missing', '1Gi')), unsupported);
  assert.equal(
    await admit(claim('grows', '2Gi'), claim('fixed', '1Gi')),
    unsupported,
    'the class may not change',
  );
});
