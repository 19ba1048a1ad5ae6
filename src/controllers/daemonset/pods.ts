import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { podMatchesNodeSelectorAndAffinity } from '../../api/node-affinity.js';
import { newControllerRef } from '../../api/owners.js';
import { firstUntoleratedTaint } from '../../api/taints.js';
import { REVISION_HASH_LABEL } from '../history/index.js';
import { cloneJson } from '../../api/meta.js';

/** Pods carry the DaemonSet's template generation in this label (upstream extensions.DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/**
 * The tolerations upstream adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations): daemons keep running
 * on not-ready/unreachable nodes and ignore pressure and cordoning; host-network daemons also ignore
 * network-unavailable.
 */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const list = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (hostNetwork) list.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  return list;
}

function withTolerations(existing: Toleration[] | undefined, added: Toleration[]): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of added) {
    const i = out.findIndex((e) => e.key === t.key && e.effect === t.effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** The template of `ds` as a pod (with the automatic tolerations), before it is tied to a node. */
export function daemonPodTemplate(ds: DaemonSet): Pod {
  const template = cloneJson(ds.spec?.template ?? {});
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = withTolerations(spec.tolerations, daemonTolerations(spec.hostNetwork === true));
  return { metadata: template.metadata ?? {}, spec };
}

export interface NodeVerdict {
  /** A daemon pod should be created here. */
  shouldRun: boolean;
  /** An existing daemon pod may stay (it tolerates the NoExecute taints even if not the NoSchedule ones). */
  shouldContinueRunning: boolean;
}

/** Upstream NodeShouldRunDaemonPod: node name, node selector and required affinity, then taints. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const pod = daemonPodTemplate(ds);
  const nodeName = pod.spec?.nodeName;
  if ((nodeName && nodeName !== node.metadata?.name) || !podMatchesNodeSelectorAndAffinity(pod, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = node.spec?.taints;
  if (firstUntoleratedTaint(taints, pod.spec?.tolerations)) {
    const noExecute = firstUntoleratedTaint(taints, pod.spec?.tolerations, ['NoExecute']);
    return { shouldRun: false, shouldContinueRunning: noExecute === undefined };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * Required node affinity for exactly `nodeName` (upstream ReplaceDaemonSetPodNodeNameNodeAffinity): any
 * matchFields on metadata.name are replaced; the other terms are dropped, the node having been checked already.
 */
export function affinityForNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = {
    matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }],
  };
  return {
    ...(affinity ?? {}),
    nodeAffinity: {
      ...(affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
    },
  };
}

/** The node a daemon pod is for: spec.nodeName once bound, else its metadata.name node affinity. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

export function templateGeneration(ds: DaemonSet): string | undefined {
  return ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
}

/** The daemon pod for `nodeName`: template, tolerations, node affinity, revision labels and controller reference. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const base = daemonPodTemplate(ds);
  const generation = templateGeneration(ds);
  const labels: Record<string, string> = { ...(base.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
  const { name: _name, ...meta } = base.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      generateName: `${ds.metadata?.name ?? ''}-`,
      namespace: ds.metadata?.namespace ?? '',
      labels,
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    spec: { ...base.spec!, affinity: affinityForNode(base.spec?.affinity, nodeName) },
  };
}

/** Upstream IsPodUpdated: the pod's template generation or revision hash is the DaemonSet's current one. */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const byGeneration = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
  const byHash = hash !== '' && labels[REVISION_HASH_LABEL] === hash;
  return byGeneration || byHash;
}
