/** PersistentVolume (core/v1): capacity, access modes, exactly one volume source, reclaim policy. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { formatQuantity, tryParseQuantity } from '../../../api/quantity.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { validateNodeSelector } from './affinity-validation.js';
import {
  child,
  keepOldStatus,
  list,
  rec,
  sameJSON,
  str,
  validateDNSSubdomain,
  validateQuantity,
  type Obj,
} from './core-common.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const POSITIVE = 'must be greater than zero';

/** The PersistentVolumeSource members of a PV spec. */
const VOLUME_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];
/** Upstream's path for a second source; cephfs is reported as `cephFS`. */
const forbiddenPath = (name: string): string => (name === 'cephfs' ? 'spec.cephFS' : `spec.${name}`);

export function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const values = list(modes).map(str);
  if (values.length === 0) return [fieldErr.required(path, requiredDetail)];
  const errs: FieldError[] = [];
  for (const mode of values) {
    if (!ACCESS_MODES.includes(mode)) errs.push(fieldErr.notSupported(path, mode, ACCESS_MODES));
  }
  if (values.includes('ReadWriteOncePod') && values.length > 1) {
    errs.push(fieldErr.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A quantity that must parse and be > 0. */
export function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  const errs = validateQuantity(value, path, true);
  if (errs.length) return errs;
  const parsed = tryParseQuantity(value);
  if (!('quantity' in parsed) || parsed.quantity.nanos > 0n) return [];
  return [fieldErr.invalid(path, formatQuantity(parsed.quantity), POSITIVE)];
}

export function validateVolumeMode(mode: unknown, path: string): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return VOLUME_MODES.includes(str(mode)) ? [] : [fieldErr.notSupported(path, mode, VOLUME_MODES)];
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

function validateSource(name: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const need = (field: string): void => {
    if (!str(src[field])) errs.push(fieldErr.required(`${path}.${field}`));
  };
  switch (name) {
    case 'hostPath':
    case 'local':
      need('path');
      break;
    case 'nfs':
      need('server');
      need('path');
      if (str(src.path) && !isAbsolute(str(src.path))) {
        errs.push(fieldErr.invalid(`${path}.path`, src.path, 'must be an absolute path'));
      }
      break;
    case 'csi':
      need('driver');
      need('volumeHandle');
      break;
    case 'iscsi':
      need('targetPortal');
      need('iqn');
      break;
  }
  return errs;
}

function validatePVSpec(spec: Obj): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = rec(spec.capacity) ?? {};
  const keys = Object.keys(capacity);
  if (keys.length === 0) errs.push(fieldErr.required('spec.capacity'));
  else if (!keys.includes('storage') || keys.length > 1) {
    errs.push(fieldErr.notSupported('spec.capacity', capacity, ['storage']));
  }
  for (const [k, v] of Object.entries(capacity))
    errs.push(...validatePositiveQuantity(v, `spec.capacity[${k}]`));
  const policy = str(spec.persistentVolumeReclaimPolicy);
  if (policy !== '' && !RECLAIM_POLICIES.includes(policy)) {
    errs.push(fieldErr.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  }
  const present = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  // flexVolume is counted but, as upstream, never reported as the extra source.
  let count = 0;
  for (const name of present) {
    if (count > 0 && name !== 'flexVolume') {
      errs.push(fieldErr.forbidden(forbiddenPath(name), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSource(name, rec(spec[name]) ?? {}, `spec.${name}`));
    if (name === 'local' && !rec(spec.nodeAffinity)) {
      errs.push(fieldErr.required('spec.nodeAffinity', 'Local volume requires node affinity'));
    }
  }
  if (present.length === 0) errs.push(fieldErr.required('spec', 'must specify a volume type'));
  const affinity = rec(spec.nodeAffinity);
  if (affinity && !rec(affinity.required)) {
    errs.push(fieldErr.required('spec.nodeAffinity.required', 'must specify required node constraints'));
  } else if (affinity) {
    errs.push(...validateNodeSelector(affinity.required, 'spec.nodeAffinity.required'));
  }
  const hostPath = str(rec(spec.hostPath)?.path).replace(/\/+$/, '');
  if (rec(spec.hostPath) && hostPath === '' && str(rec(spec.hostPath)?.path) !== '' && policy === 'Recycle') {
    errs.push(
      fieldErr.forbidden(
        'spec.persistentVolumeReclaimPolicy',
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  }
  const scName = str(spec.storageClassName);
  if (scName !== '') errs.push(...validateDNSSubdomain(scName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

function defaultPV(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const hostPath = rec(spec.hostPath);
  if (hostPath && hostPath.type === undefined) hostPath.type = '';
}

function prepareCreate(obj: KubeObject): void {
  obj.status = {
    phase: 'Pending',
    lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function validatePVUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  const source = (s: Obj): Record<string, unknown> =>
    Object.fromEntries(
      VOLUME_SOURCES.filter((k) => s[k] !== undefined && s[k] !== null).map((k) => [k, s[k]]),
    );
  const newSource = source(spec);
  const oldSource = source(oldSpec);
  // A CSI volume may gain a controllerExpandSecretRef.
  const newCSI = rec(newSource.csi);
  if (newCSI && rec(oldSource.csi) && rec(oldSource.csi)?.controllerExpandSecretRef === undefined) {
    const { controllerExpandSecretRef: _ignored, ...rest } = newCSI;
    newSource.csi = rest;
  }
  const errs: FieldError[] = [];
  if (!sameJSON(newSource, oldSource)) {
    errs.push(
      fieldErr.forbidden(
        'spec.persistentvolumesource',
        'spec.persistentvolumesource is immutable after creation',
      ),
    );
  }
  errs.push(...validateImmutableField(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
  if (
    oldSpec.nodeAffinity !== undefined &&
    oldSpec.nodeAffinity !== null &&
    !sameJSON(spec.nodeAffinity, oldSpec.nodeAffinity)
  ) {
    errs.push(
      fieldErr.invalid(
        'nodeAffinity',
        spec.nodeAffinity ?? null,
        'field is immutable, except for updating from beta label to GA',
      ),
    );
  }
  return errs;
}

export const persistentVolumeStrategy: Strategy = {
  defaults: defaultPV,
  prepareForCreate: prepareCreate,
  prepareForUpdate: keepOldStatus,
  validate: (obj) => validatePVSpec(rec(obj.spec) ?? {}),
  validateUpdate: validatePVUpdate,
};
