import { podClaims } from '../../../api/ephemeral-volumes.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  SKIP,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type Status,
} from '../../framework/types.js';

export const READ_WRITE_ONCE_POD_CONFLICT =
  'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
const STATE_KEY = 'PreFilterVolumeRestrictions';

class ClaimConflicts {
  constructor(
    /** The pod's ReadWriteOncePod claims, `namespace/name`. */
    readonly claims: readonly string[],
    /** How many of them a placed pod uses. */
    public conflicts: number,
  ) {}

  clone(): ClaimConflicts {
    return new ClaimConflicts(this.claims, this.conflicts);
  }
}

/**
 * Upstream VolumeRestrictions, for ReadWriteOncePod claims (the in-tree cloud disk conflicts it also checks
 * have no volume types here): a pod may not be placed while any other placed pod, on any node, uses one of
 * its ReadWriteOncePod claims. Preemption may free the claim (addPod/removePod keep the count).
 */
export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {
  readonly name = 'VolumeRestrictions';

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    if (pod.claimKeys.length === 0) return SKIP;
    const claims: string[] = [];
    let conflicts = 0;
    for (const { name, ephemeral } of podClaims(pod.pod)) {
      const pvc = cluster.pvc(pod.namespace, name);
      // A missing ephemeral claim is VolumeBinding's to explain (the controller has yet to make it).
      if (!pvc && ephemeral) continue;
      if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (!pvc.spec?.accessModes?.includes('ReadWriteOncePod')) continue;
      const key = `${pod.namespace}/${name}`;
      claims.push(key);
      if (cluster.isClaimInUse(key)) conflicts++;
    }
    if (claims.length === 0) return SKIP;
    state.write(STATE_KEY, new ClaimConflicts(claims, conflicts));
    return null;
  }

  addPod(state: CycleState, _pod: PodInfo, added: PodInfo): void {
    this.adjust(state, added, 1);
  }

  removePod(state: CycleState, _pod: PodInfo, removed: PodInfo): void {
    this.adjust(state, removed, -1);
  }

  private adjust(state: CycleState, other: PodInfo, by: number): void {
    const s = state.read<ClaimConflicts>(STATE_KEY);
    if (!s) return;
    for (const key of other.claimKeys) if (s.claims.includes(key)) s.conflicts += by;
  }

  filter(state: CycleState, _pod: PodInfo, _node: NodeInfo): Status | null {
    const s = state.read<ClaimConflicts>(STATE_KEY);
    return s && s.conflicts > 0 ? unschedulable(READ_WRITE_ONCE_POD_CONFLICT) : null;
  }
}
