import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { claimClass } from '../../api/storage-classes.js';
import { forbidden } from '../../api/errors.js';
import { compareQuantities, parseQuantity } from '../../api/quantity.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';

function storageOf(claim: PersistentVolumeClaim): string {
  return claim.spec?.resources?.requests?.storage ?? '0';
}

/**
 * Upstream's PersistentVolumeClaimResize plugin, for an update of a claim itself: a larger storage request
 * is allowed only for a bound claim whose StorageClass (the same before and after) sets
 * `allowVolumeExpansion: true`; anything else is refused with upstream's 403.
 */
export async function admitClaimResize(
  storage: ObjectStorage,
  registry: Registry,
  claim: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): Promise<void> {
  if (compareQuantities(parseQuantity(storageOf(claim)), parseQuantity(storageOf(old))) <= 0) return;
  const name = claim.metadata?.name ?? '';
  const gr = { group: '', resource: 'persistentvolumeclaims' };
  if (old.status?.phase !== 'Bound') {
    throw forbidden(gr, name, 'Only bound persistent volume claims can be expanded');
  }
  const cls = claimClass(claim);
  const sc =
    cls && cls === claimClass(old)
      ? ((await storage.get(registry.mustGet('storage.k8s.io', 'storageclasses'), undefined, cls)) as
          StorageClass | undefined)
      : undefined;
  if (sc?.allowVolumeExpansion !== true) {
    throw forbidden(
      gr,
      name,
      'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
  }
}
