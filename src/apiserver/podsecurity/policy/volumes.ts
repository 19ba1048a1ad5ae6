import type { PodSpec, Volume } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { isSet } from './containers.js';
import { joinQuote, pluralize, sortedUnique } from './format.js';

/** Baseline: no spec.volumes[*].hostPath. */
export function hostPathVolumesV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const names = (spec.volumes ?? []).filter((volume) => isSet(volume.hostPath)).map((volume) => volume.name);
  if (names.length === 0) return undefined;
  return {
    forbiddenReason: 'hostPath volumes',
    forbiddenDetail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
  };
}

/** The inline volume sources the restricted level allows (Kubernetes 1.32: no `image` yet, it came in 1.33). */
const allowedSources = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

/** Restricted sources in upstream's order of detection, by field name; anything else is "unknown". */
const restrictedSources = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

function sourceSet(volume: Volume, field: string): boolean {
  return isSet((volume as unknown as Record<string, unknown>)[field]);
}

/** Restricted: only core volume types (and persistent volumes through claims or CSI). */
export function restrictedVolumesV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const badVolumes: string[] = [];
  const badTypes: string[] = [];
  for (const volume of spec.volumes ?? []) {
    if (allowedSources.some((field) => sourceSet(volume, field))) continue;
    badVolumes.push(volume.name);
    badTypes.push(restrictedSources.find((field) => sourceSet(volume, field)) ?? 'unknown');
  }
  if (badVolumes.length === 0) return undefined;
  const types = sortedUnique(badTypes);
  return {
    forbiddenReason: 'restricted volume types',
    forbiddenDetail:
      `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(badVolumes)} ` +
      `${pluralize('uses', 'use', badVolumes.length)} ` +
      `${pluralize('restricted volume type', 'restricted volume types', types.length)} ${joinQuote(types)}`,
  };
}

export const hostPathVolumes: CheckDefinition = {
  id: 'hostPathVolumes',
  level: 'baseline',
  versions: [{ minVersion: 0, check: hostPathVolumesV1Dot0 }],
};

export const restrictedVolumes: CheckDefinition = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [{ minVersion: 0, check: restrictedVolumesV1Dot0, overrides: ['hostPathVolumes'] }],
};
