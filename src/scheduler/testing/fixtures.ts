import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  ReplicationController,
  Service,
  Taint,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { ClusterView } from '../framework/cluster-view.js';
import { NodeInfo } from '../framework/node-info.js';
import { PodInfo } from '../framework/pod-info.js';
import { CycleState } from '../framework/types.js';

/** Builders for plugin tests: plain objects in, NodeInfo/PodInfo out. */
export function node(
  name: string,
  o: {
    cpu?: string;
    memory?: string;
    pods?: string;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    extra?: Record<string, string>;
    images?: { names: string[]; sizeBytes: number }[];
  } = {},
): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.extra };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: alloc, capacity: alloc, ...(o.images ? { images: o.images } : {}) },
  };
}

export function pod(
  name: string,
  spec: Partial<PodSpec> = {},
  o: {
    labels?: Record<string, string>;
    namespace?: string;
    priority?: number;
    requests?: Record<string, string>;
  } = {},
): PodInfo {
  const p: Pod = {
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, labels: o.labels ?? {} },
    spec: {
      containers: [
        { name: 'c', image: 'img', ...(o.requests ? { resources: { requests: o.requests } } : {}) },
      ],
      ...spec,
    },
  };
  return new PodInfo(p, o.priority ?? 0);
}

export function nodeInfo(n: Node, ...pods: PodInfo[]): NodeInfo {
  const info = new NodeInfo(n.metadata!.name!, n);
  for (const p of pods) info.addPod(p);
  return info;
}

export function view(
  nodes: NodeInfo[],
  o: {
    pvcs?: PersistentVolumeClaim[];
    pvs?: PersistentVolume[];
    classes?: StorageClass[];
    namespaces?: Record<string, Record<string, string>>;
    services?: Service[];
    replicationControllers?: ReplicationController[];
    replicaSets?: ReplicaSet[];
    statefulSets?: StatefulSet[];
  } = {},
): ClusterView {
  return {
    nodes: () => nodes,
    node: (name) => nodes.find((n) => n.name === name),
    nodesWithRequiredAntiAffinityPods: () => nodes.filter((n) => n.podsWithRequiredAntiAffinity > 0),
    nodesWithAffinityPods: () => nodes.filter((n) => n.podsWithAffinity > 0),
    lowestPodPriority: () => {
      const all = nodes.flatMap((n) => n.pods.map((p) => p.priority));
      return all.length ? Math.min(...all) : undefined;
    },
    imageNodeCount: (image) => nodes.filter((n) => n.images.has(image)).length,
    namespaceLabels: (ns) => o.namespaces?.[ns],
    isClaimInUse: (key) => nodes.some((n) => n.pods.some((p) => p.claimKeys.includes(key))),
    pvc: (ns, name) => o.pvcs?.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    pv: (name) => o.pvs?.find((v) => v.metadata?.name === name),
    pvs: () => o.pvs ?? [],
    storageClass: (name) => o.classes?.find((c) => c.metadata?.name === name),
    services: (ns) => (o.services ?? []).filter((s) => s.metadata?.namespace === ns),
    replicationController: (ns, name) => named(o.replicationControllers, ns, name),
    replicaSet: (ns, name) => named(o.replicaSets, ns, name),
    statefulSet: (ns, name) => named(o.statefulSets, ns, name),
  };
}

function named<T extends { metadata?: ObjectMeta }>(list: T[] | undefined, ns: string, name: string) {
  return list?.find((o) => o.metadata?.namespace === ns && o.metadata?.name === name);
}

export function state(): CycleState {
  return new CycleState();
}
