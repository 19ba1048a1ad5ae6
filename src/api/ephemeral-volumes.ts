import type { Pod, Volume } from 'kubernetes-types/core/v1.js';

/** The claim of a generic ephemeral volume: `<pod name>-<volume name>`, as upstream's ephemeral.VolumeClaimName. */
export function ephemeralClaimName(pod: Pod, volume: Volume): string {
  return `${pod.metadata?.name ?? ''}-${volume.name}`;
}

export interface PodClaim {
  name: string;
  /** A generic ephemeral volume's claim, which must be the pod's own (its controller). */
  ephemeral: boolean;
}

/** The claims a pod's volumes use: persistentVolumeClaim volumes and generic ephemeral volumes. */
export function podClaims(pod: Pod): PodClaim[] {
  const out: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) {
      out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    } else if (v.ephemeral) {
      out.push({ name: ephemeralClaimName(pod, v), ephemeral: true });
    }
  }
  return out;
}
