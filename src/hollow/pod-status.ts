import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';
import { qosClass } from '../api/qos.js';

export interface RunState {
  podIP: string;
  hostIP: string;
  startedMs: number;
  ready: boolean;
  /** Set once the containers exited for good. */
  exit?: { code: number; atMs: number };
  /** When the current container instances started (after restarts). */
  containersStartedMs?: number;
  restarts?: number;
  /** The previous instance's end, after a restart. */
  lastTermination?: { code: number; atMs: number; startedMs: number };
  /** Waiting to be restarted. */
  waiting?: { reason: string; backoffMs: number };
}

function imageId(image: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
  return `hollow://sha256:${h.toString(16).padStart(8, '0').repeat(8)}`;
}

function containerId(pod: Pod, name: string): string {
  return `hollow://${pod.metadata?.uid ?? pod.metadata?.name ?? ''}/${name}`;
}

function condition(type: string, status: boolean, atMs: number, reason?: string): PodCondition {
  const c: PodCondition = { type, status: status ? 'True' : 'False', lastTransitionTime: rfc3339(atMs) };
  if (reason) c.reason = reason;
  return c;
}

/** The status a kubelet would report for a pod in `state` (phase, conditions, container statuses). */
export function podStatusFor(pod: Pod, state: RunState, nowMs: number): PodStatus {
  const started = rfc3339(state.startedMs);
  const exited = state.exit;
  const phase = exited ? (exited.code === 0 ? 'Succeeded' : 'Failed') : 'Running';
  const ready = !exited && state.ready;
  const notReadyReason = exited ? 'PodCompleted' : ready ? undefined : 'ContainersNotReady';
  const readyAt = ready || exited ? nowMs : state.startedMs;
  const prior = (type: string, status: boolean): number | undefined => {
    const c = pod.status?.conditions?.find((x) => x.type === type);
    if (c && c.status === (status ? 'True' : 'False') && c.lastTransitionTime)
      return Date.parse(c.lastTransitionTime);
    return undefined;
  };
  const at = (type: string, status: boolean, fallback: number): number => prior(type, status) ?? fallback;
  const containerStarted = rfc3339(state.containersStartedMs ?? state.startedMs);
  const last = state.lastTermination;
  const terminated = (code: number, atMs: number, startedMs: number, id: string) => ({
    exitCode: code,
    reason: code === 0 ? 'Completed' : 'Error',
    startedAt: rfc3339(startedMs),
    finishedAt: rfc3339(atMs),
    containerID: id,
  });
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => {
    const id = containerId(pod, c.name);
    const waiting = state.waiting;
    const s: ContainerStatus = {
      name: c.name,
      image: c.image ?? '',
      imageID: imageId(c.image ?? ''),
      containerID: containerId(pod, c.name),
      ready,
      started: !exited && !waiting,
      restartCount: state.restarts ?? 0,
      state: exited
        ? {
            terminated: terminated(
              exited.code,
              exited.atMs,
              state.containersStartedMs ?? state.startedMs,
              id,
            ),
          }
        : waiting
          ? {
              waiting: {
                reason: waiting.reason,
                message: `back-off ${waiting.backoffMs / 1000}s restarting failed container=${c.name} pod=${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`,
              },
            }
          : { running: { startedAt: containerStarted } },
    };
    if (last) s.lastState = { terminated: terminated(last.code, last.atMs, last.startedMs, id) };
    return s;
  });
  const conditions: PodCondition[] = [
    condition(
      'PodReadyToStartContainers',
      !exited,
      at('PodReadyToStartContainers', !exited, state.startedMs),
    ),
    condition(
      'Initialized',
      true,
      at('Initialized', true, state.startedMs),
      exited ? 'PodCompleted' : undefined,
    ),
    condition('Ready', ready, at('Ready', ready, readyAt), notReadyReason),
    condition('ContainersReady', ready, at('ContainersReady', ready, readyAt), notReadyReason),
    condition('PodScheduled', true, at('PodScheduled', true, state.startedMs)),
  ];
  return {
    phase,
    conditions,
    hostIP: state.hostIP,
    hostIPs: [{ ip: state.hostIP }],
    podIP: state.podIP,
    podIPs: [{ ip: state.podIP }],
    startTime: started,
    containerStatuses,
    qosClass: qosClass(pod),
  };
}
