import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { pickDefaultClass } from '../../api/storage-classes.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';

const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/**
 * Upstream DefaultStorageClass admission: a claim created with no class at all (no spec.storageClassName, not
 * even "", and no beta class annotation) gets the default StorageClass, if there is one.
 */
export async function admitDefaultStorageClass(
  storage: ObjectStorage,
  registry: Registry,
  pvc: PersistentVolumeClaim,
): Promise<void> {
  if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
  if (pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
  const page = await storage.list(registry.mustGet('storage.k8s.io', 'storageclasses'));
  const cls = pickDefaultClass(page.items as StorageClass[]);
  if (!cls?.metadata?.name) return;
  pvc.spec = { ...pvc.spec, storageClassName: cls.metadata.name };
}
