import type { NodeSelector } from 'kubernetes-types/core/v1.js';
import { nodeMatchesSelector } from '../../../api/node-affinity.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  SKIP,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type Status,
} from '../../framework/types.js';

export const VOLUME_NODE_AFFINITY_REASON = 'node(s) had volume node affinity conflict';
export const UNBOUND_PVC_REASON = 'pod has unbound immediate PersistentVolumeClaims';
const STATE_KEY = 'PreFilterVolumeBinding';

interface BoundVolumes {
  /** PV name → its required node affinity. */
  affinities: { pv: string; selector: NodeSelector }[];
}

/**
 * The pod's PersistentVolumeClaims must exist and be bound; the nodes it may use are those matching every bound
 * PV's spec.nodeAffinity (local volumes, zonal disks). Dynamic provisioning on first consumer is not done here.
 */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin {
  readonly name = 'VolumeBinding';

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    const claims = (pod.pod.spec?.volumes ?? []).flatMap((v) =>
      v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
    );
    if (claims.length === 0) return SKIP;
    const affinities: BoundVolumes['affinities'] = [];
    for (const claim of claims) {
      const pvc = cluster.pvc(pod.namespace, claim);
      if (!pvc) return unresolvable(`persistentvolumeclaim "${claim}" not found`);
      if (pvc.metadata?.deletionTimestamp)
        return unresolvable(`persistentvolumeclaim "${claim}" is being deleted`);
      const pvName = pvc.spec?.volumeName;
      if (!pvName) return unresolvable(UNBOUND_PVC_REASON, `persistentvolumeclaim "${claim}" is not bound`);
      const pv = cluster.pv(pvName);
      if (!pv) return unresolvable(`persistentvolume "${pvName}" not found`);
      const required = pv.spec?.nodeAffinity?.required;
      if (required) affinities.push({ pv: pvName, selector: required });
    }
    if (affinities.length === 0) return SKIP;
    state.write(STATE_KEY, { affinities } satisfies BoundVolumes);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
    const bound = state.read<BoundVolumes>(STATE_KEY);
    if (!bound || !node.node) return null;
    for (const a of bound.affinities) {
      if (!nodeMatchesSelector(node.node, a.selector)) {
        return unresolvable(
          VOLUME_NODE_AFFINITY_REASON,
          `persistentvolume ${a.pv} is not reachable from this node`,
        );
      }
    }
    return null;
  }
}
