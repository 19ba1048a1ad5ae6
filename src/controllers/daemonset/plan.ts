import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { scaledValueFromIntOrPercent } from '../../api/intstr.js';
import { isPodAvailable, isPodReady } from '../../api/pods.js';
import { REVISION_HASH_LABEL } from '../history/index.js';
import { isPodUpdated, nodeShouldRunDaemonPod, templateGeneration } from './pods.js';

export type DeleteReason = 'failed' | 'succeeded' | 'duplicate' | 'misscheduled' | 'orphaned' | 'update';

export interface DaemonPlan {
  /** Nodes that need a new daemon pod. */
  create: string[];
  delete: { pod: Pod; reason: DeleteReason; node: string }[];
  /** A failed pod still in its backoff: look again after this long. */
  requeueAfterMs?: number;
}

/** Failed-pod restarts per node back off (upstream flowcontrol.Backoff); the controller owns the clock. */
export interface FailedPodBackoff {
  /** Milliseconds left before the node's failed pod may be replaced again, or 0 (and the next delay starts). */
  tryNext(node: string): number;
}

const isDeleting = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;

function byAge(a: Pod, b: Pod): number {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  return ta - tb || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

export function allowsSurge(ds: DaemonSet): boolean {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  if (ds.spec?.updateStrategy?.type === 'OnDelete' || !ru?.maxSurge) return false;
  return scaledValueFromIntOrPercent(ru.maxSurge, 100, true) > 0;
}

/**
 * Which nodes need a daemon pod and which daemon pods must go (upstream manage/podsShouldBeOnNode): a pod on
 * every eligible node, none on the others, failed pods replaced (with backoff), one running pod per node (two
 * while a surge update runs: the oldest updated and the oldest outdated).
 */
export function planNodes(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  backoff: FailedPodBackoff,
): DaemonPlan {
  const plan: DaemonPlan = { create: [], delete: [] };
  const surge = allowsSurge(ds);
  const known = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    known.add(name);
    const pods = podsByNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    if (shouldRun && pods.length === 0) {
      plan.create.push(name);
      continue;
    }
    if (!shouldContinueRunning) {
      for (const pod of pods)
        if (!isDeleting(pod)) plan.delete.push({ pod, reason: 'misscheduled', node: name });
      continue;
    }
    const running: Pod[] = [];
    for (const pod of pods) {
      if (isDeleting(pod)) continue;
      const phase = pod.status?.phase;
      if (phase === 'Failed') {
        const wait = backoff.tryNext(name);
        if (wait > 0) {
          plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
          continue;
        }
        plan.delete.push({ pod, reason: 'failed', node: name });
      } else if (phase === 'Succeeded') {
        plan.delete.push({ pod, reason: 'succeeded', node: name });
      } else {
        running.push(pod);
      }
    }
    if (running.length <= 1) continue;
    running.sort(byAge);
    if (!surge) {
      for (const pod of running.slice(1)) plan.delete.push({ pod, reason: 'duplicate', node: name });
      continue;
    }
    let newest: Pod | undefined;
    let oldest: Pod | undefined;
    for (const pod of running) {
      const updated = pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash;
      if (updated && !newest) newest = pod;
      else if (!updated && !oldest) oldest = pod;
      else plan.delete.push({ pod, reason: 'duplicate', node: name });
    }
  }
  // Unscheduled pods aimed at a node that is gone; bound ones are left to pod garbage collection (upstream).
  for (const [node, pods] of podsByNode) {
    if (known.has(node)) continue;
    for (const pod of pods) {
      if (!isDeleting(pod) && !pod.spec?.nodeName) plan.delete.push({ pod, reason: 'orphaned', node });
    }
  }
  return plan;
}

/** Nodes that should run the daemon, and maxSurge/maxUnavailable scaled to their number (at least one of them 1). */
export function updateBudget(
  ds: DaemonSet,
  nodes: readonly Node[],
): { desired: string[]; maxSurge: number; maxUnavailable: number } {
  const desired = nodes
    .filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun)
    .map((n) => n.metadata?.name ?? '');
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? 1, desired.length, true);
  const maxSurge = scaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired.length, true);
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { desired, maxSurge, maxUnavailable };
}

/** The updated and the outdated live pod of a node; undefined when a node has more than one of either. */
function splitNode(
  pods: readonly Pod[],
  hash: string,
  generation: string | undefined,
): { updated?: Pod; outdated?: Pod } | undefined {
  let updated: Pod | undefined;
  let outdated: Pod | undefined;
  for (const pod of pods) {
    if (isDeleting(pod)) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (updated) return undefined;
      updated = pod;
    } else {
      if (outdated) return undefined;
      outdated = pod;
    }
  }
  return { ...(updated ? { updated } : {}), ...(outdated ? { outdated } : {}) };
}

/**
 * One step of a RollingUpdate (upstream rollingUpdate): without surge, delete outdated pods while at most
 * maxUnavailable nodes lack an available pod (outdated pods that are unavailable anyway go at once); with surge,
 * start updated pods next to outdated ones on at most maxSurge nodes and delete the outdated pod once its
 * replacement is available.
 */
export function planRollingUpdate(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
): DaemonPlan {
  const { desired, maxSurge, maxUnavailable } = updateBudget(ds, nodes);
  const generation = templateGeneration(ds);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (pod: Pod): boolean => isPodAvailable(pod, minReady, nowMs);
  const plan: DaemonPlan = { create: [], delete: [] };
  const nodeNames = new Set([...desired, ...podsByNode.keys()]);

  if (maxSurge === 0) {
    let unavailable = 0;
    const candidates: { pod: Pod; node: string }[] = [];
    for (const node of [...nodeNames].sort()) {
      const split = splitNode(podsByNode.get(node) ?? [], hash, generation);
      if (!split) {
        unavailable++;
        continue;
      }
      const { updated, outdated } = split;
      if (updated && !outdated) {
        if (!available(updated)) unavailable++;
      } else if (outdated && !updated) {
        if (!available(outdated)) plan.delete.push({ pod: outdated, reason: 'update', node });
        else if (unavailable < maxUnavailable) candidates.push({ pod: outdated, node });
      }
    }
    const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
    for (const c of candidates.slice(0, room)) plan.delete.push({ ...c, reason: 'update' });
    return plan;
  }

  let surged = 0;
  const candidateNodes: string[] = [];
  for (const node of [...nodeNames].sort()) {
    const split = splitNode(podsByNode.get(node) ?? [], hash, generation);
    if (!split) {
      surged++;
      continue;
    }
    const { updated, outdated } = split;
    if (!outdated) continue;
    if (!updated) {
      if (!available(outdated)) plan.create.push(node);
      else if (surged < maxSurge) candidateNodes.push(node);
      continue;
    }
    if (!available(updated)) {
      surged++;
      continue;
    }
    plan.delete.push({ pod: outdated, reason: 'update', node });
  }
  const room = Math.max(0, Math.min(maxSurge - surged, candidateNodes.length));
  plan.create.push(...candidateNodes.slice(0, room));
  return plan;
}

/** Upstream updateDaemonSetStatus counts, looking at the oldest daemon pod of each node. */
export function computeDaemonStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
): DaemonSetStatus {
  const generation = templateGeneration(ds);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const s = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    updatedNumberScheduled: 0,
  };
  for (const node of nodes) {
    const pods = [...(podsByNode.get(node.metadata?.name ?? '') ?? [])].sort(byAge);
    const wantToRun = nodeShouldRunDaemonPod(node, ds).shouldRun;
    if (!wantToRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    const pod = pods[0];
    if (!pod) continue;
    s.currentNumberScheduled++;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, minReady, nowMs)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) s.updatedNumberScheduled++;
  }
  return {
    ...s,
    numberUnavailable: s.desiredNumberScheduled - s.numberAvailable,
    observedGeneration: ds.metadata?.generation ?? 0,
  };
}
