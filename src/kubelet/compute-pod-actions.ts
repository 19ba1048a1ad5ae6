/**
 * What to do to bring a pod's runtime state to its spec: a pure function after upstream's
 * kuberuntime_manager.go computePodActions, plus the CrashLoopBackOff check upstream makes just before a start.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { BackoffView } from './crash-backoff.js';
import { goDuration } from './crash-backoff.js';
import { containerHash, podDescription } from './labels.js';
import { findContainer, type ObservedContainer, type ObservedPod } from './runtime-state.js';
import { isSidecar } from './sidecars.js';

export type ProbeOutcome = 'success' | 'failure';

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
  /** `Unhealthy` for probe failures (the event reason); absent for spec changes. */
  reason?: 'LivenessProbe' | 'StartupProbe';
}

export interface BackingOff {
  name: string;
  message: string;
  /** How long until the back-off ends. */
  retryInMs: number;
}

export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  /** The current (newest) sandbox, when one exists. */
  sandboxId?: string;
  /** Attempt number of the sandbox to create. */
  attempt: number;
  /**
   * Indexes into spec.initContainers to start, in order: the next init container, plus sidecars that need a
   * (re)start.
   */
  initContainersToStart: number[];
  /** Init containers (or sidecars) to kill before they are started again. */
  initContainersToKill: ContainerToKill[];
  /** Indexes into spec.ephemeralContainers never started yet (they are never restarted). */
  ephemeralContainersToStart: number[];
  /** Indexes into spec.containers. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
  /** Containers that would start but wait out their CrashLoopBackOff. */
  backingOff: BackingOff[];
}

export interface PodActionsInput {
  pod: Pod;
  observed: ObservedPod;
  now: number;
  backoff: BackoffView;
  /** Latest liveness/startup results by container id; undefined = no result yet. */
  liveness?: (containerId: string) => ProbeOutcome | undefined;
  startup?: (containerId: string) => ProbeOutcome | undefined;
}

export function restartPolicy(pod: Pod): 'Always' | 'OnFailure' | 'Never' {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

function shouldRestartOnFailure(pod: Pod): boolean {
  return restartPolicy(pod) !== 'Never';
}

/** Upstream kubecontainer.ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(container: Container, pod: Pod, observed: ObservedPod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const status = findContainer(observed, container.name);
  if (!status) return true;
  if ((pod.spec?.ephemeralContainers ?? []).some((e) => e.name === container.name)) return false;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  if (isSidecar(container)) return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

function isInitContainerFailed(s: ObservedContainer): boolean {
  if (s.state === 'exited' && s.exitCode !== 0) return true;
  return s.state === 'unknown';
}

/** Upstream hasAnyRegularContainerCreated: an app container exists, so initialization happened before. */
function anyAppContainerCreated(pod: Pod, observed: ObservedPod): boolean {
  return (pod.spec?.containers ?? []).some((c) => {
    const s = findContainer(observed, c.name)?.state;
    return s === 'created' || s === 'running' || s === 'exited';
  });
}

/** Whether the pod needs a new sandbox (upstream podSandboxChanged). */
function sandboxChanged(pod: Pod, observed: ObservedPod): { changed: boolean; attempt: number; id?: string } {
  const newest = observed.sandboxes[0];
  if (!newest) return { changed: true, attempt: 0 };
  const ready = observed.sandboxes.filter((s) => s.state === 'ready').length;
  const next = newest.metadata.attempt + 1;
  if (ready > 1 || newest.state !== 'ready') return { changed: true, attempt: next, id: newest.id };
  // A runtime without pod networking (the process runtime) reports no network at all; one that failed to
  // give the sandbox an address reports an empty one.
  if (!pod.spec?.hostNetwork && newest.network && !newest.network.ip) {
    return { changed: true, attempt: next, id: newest.id };
  }
  return { changed: false, attempt: newest.metadata.attempt, id: newest.id };
}

/** The key CrashLoopBackOff is tracked under (upstream getStableKey). */
export function backoffKey(pod: Pod, container: Container): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}_${pod.metadata?.uid ?? ''}_${container.name}_${containerHash(container)}`;
}

/** The CrashLoopBackOff in force when the container's last instance ended too recently, else undefined. */
export function backoffOf(input: PodActionsInput, container: Container): BackingOff | undefined {
  const last = findContainer(input.observed, container.name);
  if (!last || last.state !== 'exited' || last.finishedAt === undefined) return undefined;
  const delay = input.backoff.inBackoffSince(backoffKey(input.pod, container), last.finishedAt, input.now);
  if (delay === undefined) return undefined;
  return {
    name: container.name,
    message: `back-off ${goDuration(delay)} restarting failed container=${container.name} pod=${podDescription(input.pod)}`,
    retryInMs: Math.max(0, last.finishedAt + delay - input.now),
  };
}

export function computePodActions(input: PodActionsInput): PodActions {
  const { pod, observed } = input;
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const sb = sandboxChanged(pod, observed);
  const actions: PodActions = {
    killPod: sb.changed,
    createSandbox: sb.changed,
    attempt: sb.attempt,
    initContainersToStart: [],
    initContainersToKill: [],
    ephemeralContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
    backingOff: [],
  };
  if (sb.id) actions.sandboxId = sb.id;
  const startOrBackOff = (container: Container, start: () => void): void => {
    const b = backoffOf(input, container);
    if (b) actions.backingOff.push(b);
    else start();
  };

  if (sb.changed) {
    // A pod that ran to completion under Never is not brought back by a lost sandbox.
    if (!shouldRestartOnFailure(pod) && sb.attempt !== 0 && observed.containers.length !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart: number[] = [];
    containers.forEach((c, i) => {
      if (restartPolicy(pod) === 'OnFailure') {
        const s = findContainer(observed, c.name);
        if (s?.state === 'exited' && s.exitCode === 0) return;
      }
      toStart.push(i);
    });
    if (toStart.length === 0 && anyAppContainerCreated(pod, observed)) {
      actions.createSandbox = false;
      return actions;
    }
    if (inits.length > 0) {
      actions.initContainersToStart = [0];
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  // Ephemeral containers (kubectl debug) start once, even before initialization completed.
  (pod.spec?.ephemeralContainers ?? []).forEach((c, i) => {
    if (!findContainer(observed, c.name)) actions.ephemeralContainersToStart.push(i);
  });
  const initialized = computeInitContainerActions(input, actions, startOrBackOff);
  if (actions.killPod || !initialized) return actions;
  return computeAppContainerActions(input, actions, startOrBackOff);
}

type StartOrBackOff = (container: Container, start: () => void) => void;

/** The app containers' part: start, restart or kill each; kill the pod once none will run again. */
function computeAppContainerActions(
  input: PodActionsInput,
  actions: PodActions,
  startOrBackOff: StartOrBackOff,
): PodActions {
  const { pod, observed } = input;
  const containers = pod.spec?.containers ?? [];
  const backingOffBefore = actions.backingOff.length;
  let keep = 0;
  containers.forEach((c, i) => {
    const s = findContainer(observed, c.name);
    if (!s || s.state !== 'running') {
      if (shouldContainerBeRestarted(c, pod, observed)) {
        startOrBackOff(c, () => actions.containersToStart.push(i));
        if (s?.state === 'unknown') {
          actions.containersToKill.push({ id: s.id, name: c.name, message: 'Container is in unknown state' });
        } else if (s?.state === 'created') {
          // Created but never started: left by an agent killed between create and start.
          actions.containersToKill.push({ id: s.id, name: c.name, message: 'Container was never started' });
        }
      }
      return;
    }
    let message: string;
    let reason: ContainerToKill['reason'];
    let restart = shouldRestartOnFailure(pod);
    if (s.hash && s.hash !== containerHash(c)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (input.liveness?.(s.id) === 'failure') {
      message = `Container ${c.name} failed liveness probe`;
      reason = 'LivenessProbe';
    } else if (input.startup?.(s.id) === 'failure') {
      message = `Container ${c.name} failed startup probe`;
      reason = 'StartupProbe';
    } else {
      keep++;
      return;
    }
    if (restart) {
      message += ', will be restarted';
      actions.containersToStart.push(i);
    }
    actions.containersToKill.push({ id: s.id, name: c.name, message, ...(reason ? { reason } : {}) });
  });
  const appBackingOff = actions.backingOff.length - backingOffBefore;
  if (keep === 0 && actions.containersToStart.length === 0 && appBackingOff === 0) {
    actions.killPod = true;
    // Sidecars do not keep a pod alive whose app containers are done.
    actions.initContainersToStart = [];
    actions.initContainersToKill = [];
  }
  return actions;
}

/**
 * Init containers, sidecars among them (upstream computeInitContainerActions): walks them from the last
 * back, so init containers the runtime has forgotten do not run again; starts the first one not started, the
 * next one once a sidecar has started (its startup probe passed), and restarts sidecars that exited, failed
 * a probe or changed. Returns whether the pod is initialized (its app containers may run).
 */
function computeInitContainerActions(
  input: PodActionsInput,
  actions: PodActions,
  startOrBackOff: StartOrBackOff,
): boolean {
  const { pod, observed } = input;
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return true;
  // An app container created or running means initialization happened before (its records may be gone).
  let initialized = (pod.spec?.containers ?? []).some((c) => {
    const s = findContainer(observed, c.name)?.state;
    return s === 'created' || s === 'running';
  });
  let previouslyInitialized = initialized;
  const toStart: number[] = [];
  const kill = (s: ObservedContainer, message: string, reason?: ContainerToKill['reason']): void => {
    actions.initContainersToKill.push({ id: s.id, name: s.name, message, ...(reason ? { reason } : {}) });
  };
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i]!;
    const s = findContainer(observed, c.name);
    if (!s) {
      if (previouslyInitialized && isSidecar(c)) toStart.push(i);
      continue;
    }
    if (previouslyInitialized && !isSidecar(c)) continue;
    if (s.state === 'created') toStart.push(i);
    else if (s.state === 'running') {
      if (isSidecar(c)) {
        const started = !c.startupProbe || input.startup?.(s.id) === 'success';
        if (!started) {
          if (input.startup?.(s.id) === 'failure') {
            kill(s, `Init container ${c.name} failed startup probe`, 'StartupProbe');
            toStart.push(i);
          }
        } else {
          if (i === inits.length - 1) initialized = true;
          else if (!previouslyInitialized) toStart.push(i + 1);
          if (s.hash && s.hash !== containerHash(c)) {
            kill(s, `Init container ${c.name} definition changed`);
            toStart.push(i);
          } else if (input.liveness?.(s.id) === 'failure') {
            kill(s, `Init container ${c.name} failed liveness probe`, 'LivenessProbe');
            toStart.push(i);
          }
        }
      }
    } else if (s.state === 'exited') {
      if (isSidecar(c)) toStart.push(i);
      else if (isInitContainerFailed(s)) {
        if (!shouldRestartOnFailure(pod)) return failInit(actions);
        toStart.push(i);
      } else if (i === inits.length - 1) initialized = true;
      else toStart.push(i + 1);
    } else {
      if (!isSidecar(c) && !shouldRestartOnFailure(pod)) return failInit(actions);
      kill(s, `Init container is in "${s.state}" state, try killing it before restart`);
      toStart.push(i);
    }
    previouslyInitialized = true;
  }
  if (!previouslyInitialized) toStart.push(0);
  for (const i of toStart.reverse()) startOrBackOff(inits[i]!, () => actions.initContainersToStart.push(i));
  return initialized;
}

function failInit(actions: PodActions): false {
  actions.killPod = true;
  actions.initContainersToStart = [];
  return false;
}
