import type { KubeObject } from '../../api/meta.js';
import { BETA_STORAGE_CLASS_ANNOTATION, pickDefaultClass } from '../../api/storage-classes.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';

/**
 * Upstream DefaultStorageClass admission: a claim created with no class at all (no spec.storageClassName, not
 * even "", and no beta class annotation) gets the default StorageClass, if there is one.
 */
export async function admitDefaultStorageClass(
  storage: ObjectStorage,
  registry: Registry,
  obj: KubeObject,
): Promise<void> {
  const pvc = obj as KubeObject & { spec?: { storageClassName?: string | null } };
  if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
  if (pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
  const page = await storage.list(registry.mustGet('storage.k8s.io', 'storageclasses'));
  const cls = pickDefaultClass(page.items);
  if (!cls?.metadata?.name) return;
  pvc.spec = { ...pvc.spec, storageClassName: cls.metadata.name };
}
