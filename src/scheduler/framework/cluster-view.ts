import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  ReplicationController,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { NodeInfo } from './node-info.js';

/** What plugins may read of the cluster during one cycle (upstream SharedLister plus a few listers). */
export interface ClusterView {
  /** Nodes that exist (have a Node object), in a stable order. */
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Nodes hosting at least one pod with required anti-affinity. */
  nodesWithRequiredAntiAffinityPods(): NodeInfo[];
  /** Nodes hosting at least one pod with any (anti-)affinity. */
  nodesWithAffinityPods(): NodeInfo[];
  /** The lowest priority of any placed pod (undefined without pods): preemption's quick exit. */
  lowestPodPriority(): number | undefined;
  /** How many nodes hold this (normalized) image. */
  imageNodeCount(image: string): number;
  namespaceLabels(ns: string): Record<string, string> | undefined;
  pvc(ns: string, name: string): PersistentVolumeClaim | undefined;
  /** Whether a placed pod uses the claim (`namespace/name`). */
  isClaimInUse(key: string): boolean;
  pv(name: string): PersistentVolume | undefined;
  /** Every PersistentVolume (static volumes a delayed-binding claim may take). */
  pvs(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  /** What system-default topology spreading selects a pod's peers by. */
  services(ns: string): readonly Service[];
  replicationController(ns: string, name: string): ReplicationController | undefined;
  replicaSet(ns: string, name: string): ReplicaSet | undefined;
  statefulSet(ns: string, name: string): StatefulSet | undefined;
}
