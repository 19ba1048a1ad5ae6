import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../../api/owners.js';
import { REVISION_HASH_LABEL } from '../history/index.js';
import { cloneJson } from '../../api/meta.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal in `<set>-<ordinal>`, or -1 when the pod's name is not of that form. */
export function ordinalOf(setName: string, podName: string): number {
  const prefix = `${setName}-`;
  if (!podName.startsWith(prefix)) return -1;
  const rest = podName.slice(prefix.length);
  if (!/^(0|[1-9][0-9]*)$/.test(rest)) return -1;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : -1;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function claimName(template: PersistentVolumeClaim, set: StatefulSet, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${podName(set, ordinal)}`;
}

/** The PVCs the pod at `ordinal` uses, one per volumeClaimTemplate, keyed by template (volume) name. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...claim } = structuredClone<PersistentVolumeClaim>(template);
    const volume = template.metadata?.name ?? '';
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...(claim.metadata ?? {}),
      name: claimName(template, set, ordinal),
      namespace: set.metadata?.namespace ?? '',
      labels: { ...(claim.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    claims.set(volume, claim);
  }
  return claims;
}

/**
 * The pod at `ordinal` built from `set`'s template (which the caller took from the right revision): name,
 * identity labels, hostname/subdomain, the claims as volumes, the revision label and the controller reference.
 */
export function newStatefulPod(set: StatefulSet, ordinal: number, revisionName: string): Pod {
  const template = cloneJson(set.spec?.template ?? {});
  const name = podName(set, ordinal);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(template.metadata ?? {}),
      name,
      namespace: set.metadata?.namespace ?? '',
      labels: {
        ...(template.metadata?.labels ?? {}),
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [REVISION_HASH_LABEL]: revisionName,
      },
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec: { ...(template.spec ?? { containers: [] }), hostname: name },
  };
  delete pod.metadata!.generateName;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  const claims = claimsFor(set, ordinal);
  if (claims.size > 0) {
    const volumes: Volume[] = (pod.spec!.volumes ?? []).filter((v) => !claims.has(v.name));
    for (const [volume, claim] of claims) {
      volumes.push({ name: volume, persistentVolumeClaim: { claimName: claim.metadata?.name ?? '' } });
    }
    pod.spec!.volumes = volumes;
  }
  return pod;
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';
}
