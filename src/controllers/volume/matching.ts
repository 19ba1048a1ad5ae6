import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { nodeMatchesSelector } from '../../api/node-affinity.js';
import { compareQuantities, parseQuantity, type Quantity } from '../../api/quantity.js';
import { claimClass, volumeClass } from '../../api/storage-classes.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** The volume's claimRef names this claim (and, when it carries a uid, this very object). */
export function isVolumeBoundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

function requestedSize(pvc: PersistentVolumeClaim): Quantity {
  const s = pvc.spec?.resources?.requests?.storage;
  return parseQuantity(s ?? '0');
}

function capacity(pv: PersistentVolume): Quantity {
  return parseQuantity(pv.spec?.capacity?.storage ?? '0');
}

function accessModesFit(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/**
 * Upstream findMatchingVolume: a volume pre-bound to the claim wins outright; otherwise the smallest Available
 * volume with the claim's class, volume mode and access modes, enough capacity, labels matching the claim's
 * selector and (when a node is chosen) node affinity allowing that node. With delayed binding and no chosen
 * node nothing unbound is picked.
 */
export function findMatchingVolume(
  pvc: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  opts: { delayBinding: boolean; node?: Node | undefined },
): PersistentVolume | undefined {
  const size = requestedSize(pvc);
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  const selector = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : undefined;
  const cls = claimClass(pvc);
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    if (
      opts.node &&
      pv.spec?.nodeAffinity?.required &&
      !nodeMatchesSelector(opts.node, pv.spec.nodeAffinity.required)
    )
      continue;
    if (isVolumeBoundToClaim(pv, pvc)) {
      if (compareQuantities(capacity(pv), size) < 0) continue;
      return pv;
    }
    if (pv.spec?.claimRef) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (opts.delayBinding && !opts.node) continue;
    if (selector && !selector.matches(pv.metadata?.labels ?? {})) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!accessModesFit(pvc, pv)) continue;
    if (compareQuantities(capacity(pv), size) < 0) continue;
    if (!best || compareQuantities(capacity(pv), capacity(best)) < 0) best = pv;
  }
  return best;
}
