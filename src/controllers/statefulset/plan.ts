import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../../api/pods.js';
import { podRevision } from './identity.js';

/** One ordinal of the wanted range [start, start+replicas) and the pod holding it, if any. */
export interface Slot {
  ordinal: number;
  pod?: Pod;
}

export interface PlanInput {
  replicas: Slot[];
  /** Pods with ordinals outside the wanted range. */
  condemned: { ordinal: number; pod: Pod }[];
  /** OrderedReady: one pod at a time, each waiting for its predecessors; Parallel: no ordering. */
  monotonic: boolean;
  strategy: 'RollingUpdate' | 'OnDelete';
  /** Ordinals below this keep the current revision during a rolling update (start + partition). */
  partitionOrdinal: number;
  /** Set when spec.updateStrategy.rollingUpdate.maxUnavailable is given (already scaled to a count >= 1). */
  maxUnavailable?: number;
  currentRevision: string;
  updateRevision: string;
  minReadySeconds: number;
  nowMs: number;
}

export type Action =
  | { kind: 'create'; ordinal: number; revision: string }
  | { kind: 'delete'; pod: Pod; why: 'failed' | 'condemned' | 'update' };

export interface Plan {
  actions: Action[];
  /** Look again after this long (a pod waiting out minReadySeconds). */
  requeueAfterMs?: number;
}

export const isTerminating = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;
export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isPodReady(pod);
const isFailedOrSucceeded = (pod: Pod): boolean =>
  pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/**
 * What the StatefulSet controller does next (upstream stateful_set_control.go), as a list of actions in order:
 * replace failed pods and create missing ones (lowest ordinal first), then remove condemned pods (highest
 * first), then, for RollingUpdate, delete the highest-ordinal pod not at the update revision (ordinals at or
 * above the partition only). In OrderedReady mode it stops at the first step that must wait.
 */
export function planStatefulSet(input: PlanInput): Plan {
  const actions: Action[] = [];
  const { monotonic } = input;

  const availabilityWait = (pod: Pod): number | undefined => {
    if (input.minReadySeconds <= 0 || isPodAvailable(pod, input.minReadySeconds, input.nowMs))
      return undefined;
    const since = Date.parse(
      pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '',
    );
    const due = Number.isFinite(since) ? since + input.minReadySeconds * 1000 - input.nowMs : 1000;
    return Math.max(due, 100);
  };

  const revisionForNew = (ordinal: number): string =>
    input.strategy === 'RollingUpdate' && ordinal < input.partitionOrdinal
      ? input.currentRevision
      : input.updateRevision;

  let firstUnhealthy: Pod | undefined;
  for (const slot of input.replicas) {
    if (slot.pod && !isHealthy(slot.pod)) {
      firstUnhealthy = slot.pod;
      break;
    }
  }
  const condemned = [...input.condemned].sort((a, b) => b.ordinal - a.ordinal);
  if (!firstUnhealthy) {
    for (let i = condemned.length - 1; i >= 0; i--) {
      const pod = condemned[i]!.pod;
      if (!isHealthy(pod)) {
        firstUnhealthy = pod;
        break;
      }
    }
  }

  // Replicas, lowest ordinal first.
  let blocked = false;
  for (const slot of input.replicas) {
    const pod = slot.pod;
    if (pod && isFailedOrSucceeded(pod)) {
      // The replacement is created once the old pod is gone (same name).
      if (!isTerminating(pod)) actions.push({ kind: 'delete', pod, why: 'failed' });
      if (monotonic) return { actions };
      continue;
    }
    if (!pod) {
      actions.push({ kind: 'create', ordinal: slot.ordinal, revision: revisionForNew(slot.ordinal) });
      blocked = true;
      if (monotonic) return { actions };
      continue;
    }
    if (!monotonic) continue;
    if (isTerminating(pod) || !isRunningAndReady(pod)) return { actions };
    const wait = availabilityWait(pod);
    if (wait !== undefined) return { actions, requeueAfterMs: wait };
  }

  // Condemned pods, highest ordinal first.
  for (const { pod } of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return { actions };
      continue;
    }
    if (monotonic && pod !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return { actions };
      const wait = availabilityWait(pod);
      if (wait !== undefined) return { actions, requeueAfterMs: wait };
    }
    actions.push({ kind: 'delete', pod, why: 'condemned' });
    if (monotonic) return { actions };
  }

  if (input.strategy === 'OnDelete' || blocked) return { actions };

  const inRange = input.replicas.filter((s) => s.ordinal >= input.partitionOrdinal).reverse();
  const outdated = (pod: Pod): boolean => podRevision(pod) !== input.updateRevision && !isTerminating(pod);
  if (input.maxUnavailable === undefined) {
    for (const { pod } of inRange) {
      if (!pod) break;
      if (outdated(pod)) {
        actions.push({ kind: 'delete', pod, why: 'update' });
        break;
      }
      if (!isHealthy(pod)) break;
    }
  } else {
    const unavailable = input.replicas.filter((s) => !s.pod || !isHealthy(s.pod)).length;
    let budget = input.maxUnavailable - unavailable;
    for (const { pod } of inRange) {
      if (budget <= 0) break;
      if (pod && outdated(pod)) {
        actions.push({ kind: 'delete', pod, why: 'update' });
        budget--;
      }
    }
  }
  return { actions };
}
