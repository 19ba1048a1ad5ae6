/** PersistentVolumeClaim (core/v1): access modes, storage request, immutability once created. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { tryParseQuantity } from '../../../api/quantity.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import {
  validateAccessModes,
  validatePositiveQuantity,
  validateVolumeMode,
} from './core-persistentvolume.js';
import {
  child,
  clone,
  keepOldStatus,
  rec,
  sameJSON,
  str,
  validateDNSSubdomain,
  type Obj,
} from './core-common.js';

export const PVC_SPEC_IMMUTABLE =
  'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function defaultPVC(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
}

function prepareCreate(obj: KubeObject): void {
  obj.status = { phase: 'Pending' };
}

function validatePVC(obj: KubeObject): FieldError[] {
  return validatePVCSpec(obj.spec, 'spec');
}

/** A claim's spec, at `path` (`spec`, or an ephemeral volume's `…volumeClaimTemplate.spec`). */
export function validatePVCSpec(specValue: unknown, path: string): FieldError[] {
  const spec = rec(specValue) ?? {};
  const errs = validateAccessModes(
    spec.accessModes,
    `${path}.accessModes`,
    'at least 1 access mode is required',
  );
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const resources = rec(spec.resources) ?? {};
  const requests = rec(resources.requests) ?? {};
  if (!('storage' in requests)) errs.push(fieldErr.required(`${path}.resources[storage]`));
  else errs.push(...validatePositiveQuantity(requests.storage, `${path}.resources[storage]`));
  const scName = spec.storageClassName;
  if (typeof scName === 'string' && scName !== '')
    errs.push(...validateDNSSubdomain(scName, `${path}.storageClassName`));
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  return errs;
}

function storageOf(spec: Obj): unknown {
  return rec(rec(spec.resources)?.requests)?.storage;
}

function validatePVCUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  const newCmp = clone(spec);
  const oldCmp = clone(oldSpec);
  // The binder sets volumeName once.
  if (!str(oldSpec.volumeName)) oldCmp.volumeName = newCmp.volumeName;
  // A class may be set once on a claim that had none.
  if (
    (oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) &&
    typeof spec.storageClassName === 'string'
  ) {
    oldCmp.storageClassName = newCmp.storageClassName;
  }
  const bound = rec(obj.status)?.phase === 'Bound';
  if (bound) {
    const requests = rec(rec(newCmp.resources)?.requests);
    if (requests) requests.storage = storageOf(oldSpec);
    if (newCmp.volumeAttributesClassName !== undefined && newCmp.volumeAttributesClassName !== null) {
      newCmp.volumeAttributesClassName = oldCmp.volumeAttributesClassName;
    }
  }
  const errs: FieldError[] = [];
  if (!sameJSON(newCmp, oldCmp)) errs.push(fieldErr.forbidden('spec', PVC_SPEC_IMMUTABLE));
  const newSize = tryParseQuantity(storageOf(spec));
  const oldSize = tryParseQuantity(storageOf(oldSpec));
  if ('quantity' in newSize && 'quantity' in oldSize && newSize.quantity.nanos < oldSize.quantity.nanos) {
    errs.push(
      fieldErr.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'),
    );
  }
  errs.push(...validateImmutableField(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
  return errs;
}

export const persistentVolumeClaimStrategy: Strategy = {
  defaults: defaultPVC,
  prepareForCreate: prepareCreate,
  prepareForUpdate: keepOldStatus,
  validate: validatePVC,
  validateUpdate: validatePVCUpdate,
};
