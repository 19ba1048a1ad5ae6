/**
 * Runtime containers → API ContainerStatuses, after upstream kubelet_pods.go convertToAPIContainerStatuses and
 * the probe manager's ready/started marking.
 */
import type { Container, ContainerState, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';
import { shouldContainerBeRestarted, type ProbeOutcome } from './compute-pod-actions.js';
import { findContainer, type ObservedContainer, type ObservedPod } from './runtime-state.js';
import { isSidecar } from './sidecars.js';

/** Why a container could not be started in the last sync (upstream reasonCache). */
export interface StartFailure {
  reason: string;
  message: string;
}

export interface ContainerStatusInput {
  pod: Pod;
  observed: ObservedPod;
  /** Prefix of containerID (`<runtime>://<id>`). */
  runtimeName: string;
  startFailure: (containerName: string) => StartFailure | undefined;
  readiness: (containerId: string) => ProbeOutcome | undefined;
  startup: (containerId: string) => ProbeOutcome | undefined;
}

function stateOf(c: ObservedContainer, cid: string): ContainerState {
  if (c.state === 'running') return { running: { startedAt: rfc3339(c.startedAt ?? c.createdAt) } };
  if (c.state === 'exited') {
    const exitCode = c.exitCode ?? 0;
    return {
      terminated: {
        exitCode,
        reason: c.reason || (exitCode === 0 ? 'Completed' : 'Error'),
        ...(c.message ? { message: c.message } : {}),
        startedAt: rfc3339(c.startedAt ?? c.createdAt),
        finishedAt: rfc3339(c.finishedAt ?? c.startedAt ?? c.createdAt),
        containerID: cid,
      },
    };
  }
  return { waiting: {} };
}

function convert(c: ObservedContainer, runtimeName: string): ContainerStatus {
  const cid = `${runtimeName}://${c.id}`;
  return {
    name: c.name,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageRef,
    containerID: cid,
    ready: false,
    state: stateOf(c, cid),
  };
}

export type ContainerKind = 'init' | 'regular' | 'ephemeral';

export function convertContainerStatuses(
  input: ContainerStatusInput,
  containers: Container[],
  kind: ContainerKind,
): ContainerStatus[] {
  const { pod, observed } = input;
  const isInit = kind === 'init';
  const hasInits = (pod.spec?.initContainers?.length ?? 0) > 0;
  const defaultReason = hasInits ? 'PodInitializing' : 'ContainerCreating';
  const oldList =
    (kind === 'init'
      ? pod.status?.initContainerStatuses
      : kind === 'ephemeral'
        ? pod.status?.ephemeralContainerStatuses
        : pod.status?.containerStatuses) ?? [];
  const old = new Map(oldList.map((s) => [s.name, s]));
  const statuses = new Map<string, ContainerStatus>();

  for (const c of containers) {
    const prior = old.get(c.name);
    let s: ContainerStatus = {
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: defaultReason } },
    };
    if (prior?.state?.terminated) s = structuredClone(prior);
    else if (prior) {
      s.restartCount = prior.restartCount;
      if (prior.lastState) s.lastState = structuredClone(prior.lastState);
    }
    statuses.set(c.name, s);
  }

  // A container that was running and vanished from the runtime did terminate, with an unknown exit code.
  for (const c of containers) {
    if (findContainer(observed, c.name)) continue;
    const prior = old.get(c.name);
    if (!prior?.state?.running) continue;
    const s = statuses.get(c.name)!;
    if (s.state?.waiting?.reason !== defaultReason || s.lastState?.terminated) continue;
    s.lastState = {
      terminated: {
        reason: 'ContainerStatusUnknown',
        message:
          'The container could not be located when the pod was deleted.  The container used to be Running',
        exitCode: 137,
      },
    };
    if (!pod.metadata?.deletionTimestamp) s.restartCount += 1;
  }

  const seen = new Map<string, number>();
  for (const rc of observed.containers) {
    const s = statuses.get(rc.name);
    if (!s) continue;
    const n = seen.get(rc.name) ?? 0;
    if (n >= 2) continue;
    const converted = convert(rc, input.runtimeName);
    if (n === 0) {
      if (s.lastState) converted.lastState = s.lastState;
      statuses.set(rc.name, converted);
    } else {
      s.lastState = converted.state!;
    }
    seen.set(rc.name, n + 1);
  }

  // Containers that will be (re)started next sync and failed to start last time show why they wait.
  for (const c of containers) {
    if (isInit && !isSidecar(c)) {
      const r = findContainer(observed, c.name);
      if (r?.state === 'exited' && r.exitCode === 0) continue;
    }
    if (!shouldContainerBeRestarted(c, pod, observed)) continue;
    const failure = input.startFailure(c.name);
    if (!failure) continue;
    const s = statuses.get(c.name)!;
    if (s.state?.terminated) s.lastState = s.state;
    s.state = { waiting: { reason: failure.reason, message: failure.message } };
  }

  const out = containers.map((c) => statuses.get(c.name)!);
  if (kind === 'ephemeral') {
    // Ephemeral containers have no probes and never count as ready (upstream leaves them unmarked).
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  for (const s of out)
    markReadiness(
      s,
      containers.find((c) => c.name === s.name)!,
      isInit,
      input,
    );
  return isInit ? out : out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function markReadiness(s: ContainerStatus, c: Container, isInit: boolean, input: ContainerStatusInput): void {
  const running = s.state?.running !== undefined;
  const id = s.containerID?.replace(/^[^:]*:\/\//, '') ?? '';
  if (isInit && !isSidecar(c)) {
    s.started = running;
    s.ready = s.state?.terminated?.exitCode === 0;
    return;
  }
  const started = running && (!c.startupProbe || input.startup(id) === 'success');
  s.started = started;
  s.ready = started && (!c.readinessProbe || input.readiness(id) === 'success');
}
