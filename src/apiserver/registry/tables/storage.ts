import type { KubeObject } from '../../../api/meta.js';
import { BETA_STORAGE_CLASS_ANNOTATION } from '../../../api/storage-classes.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { age, ageColumn, col, nameColumn, quantity, rec, str } from './format.js';

const ACCESS_MODES: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: fixed order, de-duplicated. */
export function accessModes(modes: unknown): string {
  const list = Array.isArray(modes) ? (modes as unknown[]) : [];
  return ACCESS_MODES.filter(([mode]) => list.includes(mode))
    .map(([, short]) => short)
    .join(',');
}

function storageClassOf(obj: KubeObject): string {
  const beta = obj.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (beta !== undefined) return beta;
  return str(rec(obj.spec).storageClassName);
}

function phaseOf(obj: KubeObject): string {
  return obj.metadata?.deletionTimestamp ? 'Terminating' : str(rec(obj.status).phase);
}

function optional(value: unknown): string {
  return typeof value === 'string' ? value : '<unset>';
}

export const persistentVolumeTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Capacity', doc.pvCapacity),
    col('Access Modes', doc.pvAccessModes),
    col('Reclaim Policy', doc.pvReclaim),
    col('Status', doc.pvPhase),
    col('Claim', doc.pvClaimRef),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col('Reason', doc.pvReason),
    ageColumn,
    col('VolumeMode', doc.pvVolumeMode, 1),
  ],
  cells(pv, now) {
    const spec = rec(pv.spec);
    const claimRef = spec.claimRef
      ? `${str(rec(spec.claimRef).namespace)}/${str(rec(spec.claimRef).name)}`
      : '';
    return [
      pv.metadata?.name ?? '',
      quantity(rec(spec.capacity).storage),
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phaseOf(pv),
      claimRef,
      storageClassOf(pv),
      optional(spec.volumeAttributesClassName),
      str(rec(pv.status).reason),
      age(pv, now),
      optional(spec.volumeMode),
    ];
  },
};

export const persistentVolumeClaimTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', doc.pvcPhase),
    col('Volume', doc.pvcVolumeName),
    col('Capacity', doc.pvcCapacity),
    col('Access Modes', doc.pvcAccessModes),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    col('VolumeMode', doc.pvcVolumeMode, 1),
  ],
  cells(pvc, now) {
    const spec = rec(pvc.spec);
    const status = rec(pvc.status);
    const bound = str(spec.volumeName) !== '';
    return [
      pvc.metadata?.name ?? '',
      phaseOf(pvc),
      str(spec.volumeName),
      bound ? quantity(rec(status.capacity).storage) : '',
      bound ? accessModes(status.accessModes) : '',
      storageClassOf(pvc),
      optional(spec.volumeAttributesClassName),
      age(pvc, now),
      optional(spec.volumeMode),
    ];
  },
};

const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const storageClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Provisioner', doc.scProvisioner),
    col('ReclaimPolicy', doc.scReclaim),
    col('VolumeBindingMode', doc.scBinding),
    col('AllowVolumeExpansion', doc.scExpansion),
    ageColumn,
  ],
  cells(sc, now) {
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true');
    const name = (sc.metadata?.name ?? '') + (isDefault ? ' (default)' : '');
    return [
      name,
      str(sc.provisioner),
      str(sc.reclaimPolicy) || 'Delete',
      str(sc.volumeBindingMode) || 'Immediate',
      sc.allowVolumeExpansion === true,
      age(sc, now),
    ];
  },
};
