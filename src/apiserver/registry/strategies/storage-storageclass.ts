/** StorageClass (storage.k8s.io/v1): provisioner, parameters, reclaim and binding modes; most fields frozen. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isQualifiedName } from '../../../api/validation/names.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { rec, sameJSON, str } from './core-common.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

function defaultStorageClass(obj: KubeObject): void {
  if (!obj.reclaimPolicy) obj.reclaimPolicy = 'Delete';
  if (!obj.volumeBindingMode) obj.volumeBindingMode = 'Immediate';
}

function validateParameters(params: unknown): FieldError[] {
  const entries = Object.entries(rec(params) ?? {});
  if (entries.length > MAX_PARAMETERS) return [fieldErr.tooLong('parameters', MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(fieldErr.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + str(v).length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldErr.tooLong('parameters', MAX_PARAMETERS_SIZE));
  return errs;
}

function validateStorageClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = str(obj.provisioner);
  if (provisioner === '') errs.push(fieldErr.required('provisioner'));
  else {
    for (const m of isQualifiedName(provisioner.toLowerCase()))
      errs.push(fieldErr.invalid('provisioner', provisioner, m));
  }
  errs.push(...validateParameters(obj.parameters));
  const policy = str(obj.reclaimPolicy);
  if (policy !== '' && !RECLAIM_POLICIES.includes(policy)) {
    errs.push(fieldErr.notSupported('reclaimPolicy', policy, RECLAIM_POLICIES));
  }
  const mode = obj.volumeBindingMode;
  if (mode === undefined || mode === null || mode === '') errs.push(fieldErr.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(str(mode)))
    errs.push(fieldErr.notSupported('volumeBindingMode', mode, BINDING_MODES));
  return errs;
}

function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!sameJSON(obj.parameters, old.parameters)) {
    errs.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
  }
  if (obj.provisioner !== old.provisioner) {
    errs.push(fieldErr.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  }
  if (obj.reclaimPolicy !== old.reclaimPolicy) {
    errs.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  }
  errs.push(...validateImmutableField(obj.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export const storageClassStrategy: Strategy = {
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
};
