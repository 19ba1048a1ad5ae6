import type {
  Node,
  NodeSelector,
  PersistentVolume,
  PersistentVolumeClaim,
  TopologySelectorTerm,
} from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../../../api/errors.js';
import { podClaims } from '../../../api/ephemeral-volumes.js';
import { isControlledBy } from '../../../api/owners.js';
import { nodeMatchesSelector } from '../../../api/node-affinity.js';
import { R, type ApiClient } from '../../../client/index.js';
import { ANN_SELECTED_NODE, findMatchingVolume } from '../../../controllers/volume/matching.js';
import { claimClass } from '../../../api/storage-classes.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  SKIP,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type Status,
} from '../../framework/types.js';

export const VOLUME_NODE_AFFINITY_REASON = 'node(s) had volume node affinity conflict';
export const UNBOUND_PVC_REASON = 'pod has unbound immediate PersistentVolumeClaims';
export const BIND_CONFLICT_REASON = "node(s) didn't find available persistent volumes to bind";
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const STATE_KEY = 'PreFilterVolumeBinding';

interface DelayedClaim {
  pvc: PersistentVolumeClaim;
  cls: StorageClass;
}

interface PodVolumes {
  /** PV name → its required node affinity. */
  affinities: { pv: string; selector: NodeSelector }[];
  /** Unbound claims of WaitForFirstConsumer classes: bound (or provisioned) once the node is chosen. */
  delayed: DelayedClaim[];
  volumes: readonly PersistentVolume[];
}

/** Upstream MatchTopologySelectorTerms: no terms match every node; otherwise any term whose keys all match. */
function topologyAllows(terms: readonly TopologySelectorTerm[] | undefined, node: Node): boolean {
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata?.labels ?? {};
  return terms.some((t) =>
    (t.matchLabelExpressions ?? []).every((e) => {
      const v = labels[e.key];
      return v !== undefined && e.values.includes(v);
    }),
  );
}

/**
 * Upstream VolumeBinding. The pod's claims must exist. Bound claims restrict nodes to their PVs' node affinity;
 * unbound claims of an Immediate class make the pod wait for the PV controller; unbound claims of a
 * WaitForFirstConsumer class need, on each node, an Available static volume usable there or a provisioner the
 * class allows there, and once a node is chosen PreBind writes it on the claim (volume.kubernetes.io/
 * selected-node) for the binder and the provisioner. Unlike upstream, PreBind does not wait for the binding:
 * the kubelet waits for the claim to be Bound before it mounts it.
 */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin, PreBindPlugin {
  readonly name = 'VolumeBinding';

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    const claims = podClaims(pod.pod);
    if (claims.length === 0) return SKIP;
    const result: PodVolumes = { affinities: [], delayed: [], volumes: [] };
    for (const { name: claim, ephemeral } of claims) {
      const pvc = cluster.pvc(pod.namespace, claim);
      if (!pvc && ephemeral) {
        return unresolvable(
          `waiting for ephemeral volume controller to create the persistentvolumeclaim "${claim}"`,
        );
      }
      if (!pvc) return unresolvable(`persistentvolumeclaim "${claim}" not found`);
      if (ephemeral && !isControlledBy(pvc, pod.pod)) {
        return unresolvable(`persistentvolumeclaim "${claim}" was not created for the pod`);
      }
      if (pvc.metadata?.deletionTimestamp)
        return unresolvable(`persistentvolumeclaim "${claim}" is being deleted`);
      const pvName = pvc.spec?.volumeName;
      if (!pvName) {
        const className = claimClass(pvc);
        const cls = className ? cluster.storageClass(className) : undefined;
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer')
          return unresolvable(UNBOUND_PVC_REASON, `persistentvolumeclaim "${claim}" is not bound`);
        result.delayed.push({ pvc, cls });
        continue;
      }
      const pv = cluster.pv(pvName);
      if (!pv) return unresolvable(`persistentvolume "${pvName}" not found`);
      const required = pv.spec?.nodeAffinity?.required;
      if (required) result.affinities.push({ pv: pvName, selector: required });
    }
    if (result.affinities.length === 0 && result.delayed.length === 0) return SKIP;
    if (result.delayed.length > 0) result.volumes = cluster.pvs();
    state.write(STATE_KEY, result);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
    const vols = state.read<PodVolumes>(STATE_KEY);
    if (!vols || !node.node) return null;
    for (const a of vols.affinities) {
      if (!nodeMatchesSelector(node.node, a.selector)) {
        return unresolvable(
          VOLUME_NODE_AFFINITY_REASON,
          `persistentvolume ${a.pv} is not reachable from this node`,
        );
      }
    }
    for (const { pvc, cls } of vols.delayed) {
      const claim = pvc.metadata?.name ?? '';
      const selected = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
      // Provisioning already started for another node.
      if (selected && selected !== node.name)
        return unresolvable(
          BIND_CONFLICT_REASON,
          `persistentvolumeclaim "${claim}" is selected for ${selected}`,
        );
      if (!selected && findMatchingVolume(pvc, vols.volumes, { delayBinding: true, node: node.node }))
        continue;
      const provisionable =
        !!cls.provisioner &&
        cls.provisioner !== NO_PROVISIONER &&
        topologyAllows(cls.allowedTopologies, node.node);
      if (!provisionable)
        return unresolvable(
          BIND_CONFLICT_REASON,
          `no volume for persistentvolumeclaim "${claim}" on this node`,
        );
    }
    return null;
  }

  async preBind(
    pod: PodInfo,
    nodeName: string,
    cluster: ClusterView,
    client: ApiClient,
  ): Promise<Status | null> {
    for (const { name: claim } of podClaims(pod.pod)) {
      const pvc = cluster.pvc(pod.namespace, claim);
      if (!pvc || pvc.spec?.volumeName) continue;
      const className = claimClass(pvc);
      const cls = className ? cluster.storageClass(className) : undefined;
      if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') continue;
      if (pvc.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      try {
        await client
          .resource<PersistentVolumeClaim>(R.persistentVolumeClaims)
          .patch(pod.namespace, claim, 'merge', {
            metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } },
          });
      } catch (err) {
        if (hasReason(err, 'NotFound')) return unresolvable(`persistentvolumeclaim "${claim}" not found`);
        const reason = err instanceof Error ? err.message : String(err);
        return { code: 'Error', reasons: [`persistentvolumeclaim "${claim}": ${reason}`] };
      }
    }
    return null;
  }
}
