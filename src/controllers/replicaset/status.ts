import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.js';
import { isPodAvailable, isPodReady } from '../../api/pods.js';
import { rfc3339 } from '../../util/clock.js';
import type { ReplicaOwner } from './kind.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

/**
 * Upstream calculateStatus: counts over the active pods the owner controls, and the ReplicaFailure condition
 * set while creating or deleting pods fails and cleared once it works again.
 */
export function calculateStatus(
  owner: ReplicaOwner,
  pods: Pod[],
  manageError: Error | undefined,
  now: number,
): ReplicaStatus {
  const templateLabels = selectorFromSet(owner.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds = owner.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const old = (owner.status ?? {}) as ReplicaStatus;
  let conditions = [...(old.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: rfc3339(now),
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: manageError.message,
    });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: old.observedGeneration ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

export function statusEqual(a: ReplicaStatus, b: ReplicaStatus): boolean {
  return (
    a.replicas === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
