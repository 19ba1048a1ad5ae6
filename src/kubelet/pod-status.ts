/**
 * Runtime state → PodStatus, field for field as upstream's kubelet generateAPIPodStatus plus the status
 * manager's start time and condition transition times. Pure: everything it needs comes in.
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';
import { restartPolicy } from './compute-pod-actions.js';
import { convertContainerStatuses, type ContainerStatusInput } from './container-statuses.js';
import {
  containersReadyCondition,
  initializedCondition,
  isKubeletCondition,
  readyCondition,
} from './pod-conditions.js';
import { qosClass } from '../api/qos.js';
import { isSidecar } from './sidecars.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PodStatusInput extends ContainerStatusInput {
  hostIPs: string[];
  now: number;
  /** The pod's containers were stopped for good (its worker terminated it): phase becomes terminal. */
  podIsTerminal?: boolean;
}

const isTerminal = (p: string | undefined): boolean => p === 'Succeeded' || p === 'Failed';

/** Upstream getPhase. `statuses` holds init and app container statuses. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], podIsTerminal: boolean): PodPhase {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  let pendingInit = 0;
  let failedInit = 0;
  const inits = pod.spec?.initContainers ?? [];
  for (const c of inits) {
    if (isSidecar(c)) continue;
    const s = byName.get(c.name);
    if (!s) pendingInit++;
    else if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  // Sidecars count as running, and as pending until started; stopped ones do not count.
  for (const c of inits.filter(isSidecar)) {
    const s = byName.get(c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingInit++;
      running++;
    } else if (s.state?.terminated) continue;
    else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingInit++;
        waiting++;
      }
    } else {
      pendingInit++;
      unknown++;
    }
  }
  const regular = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  const anyAppStarted = statuses.some(
    (s) => regular.has(s.name) && (s.state?.running || s.state?.terminated),
  );
  for (const c of pod.spec?.containers ?? []) {
    const s = byName.get(c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = restartPolicy(pod);
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  // A sidecar restarting after the app containers ran does not send the pod back to Pending.
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function sandboxReady(input: PodStatusInput): boolean {
  const sb = input.observed.sandboxes[0];
  if (!sb || sb.state !== 'ready') return false;
  if (input.observed.sandboxes.filter((s) => s.state === 'ready').length > 1) return false;
  return Boolean(input.pod.spec?.hostNetwork || !sb.network || sb.network.ip);
}

function podIPs(input: PodStatusInput): string[] {
  if (input.pod.spec?.hostNetwork) return input.hostIPs;
  const ready = input.observed.sandboxes.find((s) => s.state === 'ready');
  // No pod networking in the runtime: the pod shares the host's addresses.
  if (ready && !ready.network) return input.hostIPs;
  const sb = input.observed.sandboxes.find((s) => s.state === 'ready' && s.network?.ip);
  if (sb?.network) return [sb.network.ip, ...sb.network.additionalIps];
  // A stopped pod keeps reporting the addresses it had.
  return (input.pod.status?.podIPs ?? []).map((p) => p.ip ?? '').filter(Boolean);
}

function withTransitionTimes(conditions: PodCondition[], old: PodCondition[], now: string): PodCondition[] {
  return conditions.map((c) => {
    if (c.lastTransitionTime) return c;
    const prior = old.find((o) => o.type === c.type);
    const at =
      prior && prior.status === c.status && prior.lastTransitionTime ? prior.lastTransitionTime : now;
    return { ...c, lastTransitionTime: at };
  });
}

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const initStatuses = convertContainerStatuses(input, pod.spec?.initContainers ?? [], 'init');
  const statuses = convertContainerStatuses(input, pod.spec?.containers ?? [], 'regular');
  const ephemeral = pod.spec?.ephemeralContainers ?? [];
  const ephemeralStatuses = convertContainerStatuses(input, ephemeral, 'ephemeral');
  const all = [...initStatuses, ...statuses];
  let phase = podPhase(pod, all, input.podIsTerminal ?? false);
  if (!isTerminal(phase) && isTerminal(old.phase)) phase = old.phase as PodPhase;

  const kept = (old.conditions ?? []).filter((c) => !isKubeletCondition(c.type));
  const containersReady = containersReadyCondition(pod, all, phase);
  const conditions: PodCondition[] = [
    ...kept,
    { type: 'PodReadyToStartContainers', status: sandboxReady(input) ? 'True' : 'False' },
    initializedCondition(pod, all, phase),
    readyCondition(pod, containersReady, kept),
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  const now = rfc3339(input.now);
  const ips = podIPs(input);
  const status: PodStatus = {
    phase,
    conditions: withTransitionTimes(conditions, old.conditions ?? [], now),
    hostIP: input.hostIPs[0] ?? '',
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? now,
    qosClass: qosClass(pod),
    containerStatuses: statuses,
  };
  if (phase === old.phase) {
    if (old.reason) status.reason = old.reason;
    if (old.message) status.message = old.message;
  }
  if (ips.length) {
    status.podIP = ips[0]!;
    status.podIPs = ips.map((ip) => ({ ip }));
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (ephemeralStatuses.length) status.ephemeralContainerStatuses = ephemeralStatuses;
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  return status;
}
