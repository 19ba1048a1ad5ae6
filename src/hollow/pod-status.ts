import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';
import { qosClass } from './pod-behaviour.js';

export interface RunState {
  podIP: string;
  hostIP: string;
  startedMs: number;
  ready: boolean;
  /** Set once the containers exited. */
  exit?: { code: number; atMs: number };
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
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => {
    const s: ContainerStatus = {
      name: c.name,
      image: c.image ?? '',
      imageID: imageId(c.image ?? ''),
      containerID: containerId(pod, c.name),
      ready,
      started: !exited,
      restartCount: 0,
      state: exited
        ? {
            terminated: {
              exitCode: exited.code,
              reason: exited.code === 0 ? 'Completed' : 'Error',
              startedAt: started,
              finishedAt: rfc3339(exited.atMs),
              containerID: containerId(pod, c.name),
            },
          }
        : { running: { startedAt: started } },
    };
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
