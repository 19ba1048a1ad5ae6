import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { newestOf, type ClassMeta } from './newest-class.js';

export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const LOCAL_PATH_CLASS = 'local-path';
/**
 * Our own name, not k3s's `rancher.io/local-path`: a user who installs rancher's local-path-provisioner next to
 * ours must not get two provisioners racing for the same claims.
 */
export const LOCAL_PATH_PROVISIONER = 'tugboat.dev/local-path';

/**
 * Where a node keeps its local-path volumes (`<agent data dir>/storage`), published by its agent on its Node.
 * The provisioner falls back to its `localPathDir` option (the server's own data dir) for nodes without it.
 */
export const ANN_LOCAL_PATH_DIR = 'tugboat.dev/local-path-dir';

/** Upstream IsDefaultAnnotation: the GA or the beta annotation set to "true". */
export function isDefaultClass(cls: ClassMeta): boolean {
  const a = cls.metadata?.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/**
 * Upstream GetDefaultClass (since 1.26): of several default classes the newest wins, ties broken by name, so
 * adding a new default never fails claims.
 */
export function pickDefaultClass<T extends ClassMeta>(classes: readonly T[]): T | undefined {
  return newestOf(classes.filter(isDefaultClass));
}

/** The class every cluster starts with: node-local directories, created on the node the first pod lands on. */
export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** The beta annotation older claims and volumes name their class with, which upstream still honours. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** Upstream GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
}

/** Upstream GetPersistentVolumeClass, likewise. */
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? '';
}
