/** Stopping containers and pods (preStop, grace periods), removing them, and container garbage collection. */
import { promises as fs } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerToKill } from './compute-pod-actions.js';
import { POD_UID_LABEL } from './labels.js';
import { runLifecycleHandler } from './lifecycle-hooks.js';
import { podIPs, type PodSyncDeps } from './pod-sync-deps.js';
import { findContainer, type ObservedContainer, type ObservedPod } from './runtime-state.js';
import { isSidecar } from './sidecars.js';

/** Upstream's minimum grace for a stop that was not forced. */
const MIN_GRACE_SECONDS = 2;
/** Exited instances kept per container name (the newest feeds lastState). */
const KEEP_EXITED = 1;

/**
 * Stops one container: preStop hook within the grace period, then SIGTERM and SIGKILL after what is left of
 * it. `graceOverride` is the deletion's grace (seconds) when the pod is being deleted.
 */
export async function killContainer(
  d: PodSyncDeps,
  pod: Pod,
  k: Pick<ContainerToKill, 'id' | 'name' | 'message'> & { reason?: string },
  observed: ObservedPod,
  graceOverride: number | undefined,
): Promise<void> {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (c) => c.name === k.name,
  );
  let grace = graceOverride ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (k.reason === 'LivenessProbe' && spec?.livenessProbe?.terminationGracePeriodSeconds !== undefined) {
    grace = spec.livenessProbe.terminationGracePeriodSeconds;
  } else if (k.reason === 'StartupProbe' && spec?.startupProbe?.terminationGracePeriodSeconds !== undefined) {
    grace = spec.startupProbe.terminationGracePeriodSeconds;
  }
  const running = observed.containers.find((c) => c.id === k.id)?.state === 'running';
  d.event(pod, 'Normal', 'Killing', k.message || `Stopping container ${k.name}`);
  const started = d.clock.now();
  const preStop = spec?.lifecycle?.preStop;
  if (preStop && running && grace > 0) {
    const failed = await runLifecycleHandler(preStop, {
      runtime: d.runtime,
      pod,
      container: spec,
      containerId: k.id,
      podIP: podIPs(d, pod, observed)[0] ?? '',
      timeoutSeconds: grace,
    });
    if (failed) d.event(pod, 'Warning', 'FailedPreStopHook', failed);
    grace -= Math.floor((d.clock.now() - started) / 1000);
  }
  if (graceOverride === undefined && grace < MIN_GRACE_SECONDS) grace = MIN_GRACE_SECONDS;
  await d.runtime.stopContainer(k.id, Math.max(0, grace));
}

/**
 * Stops every running container and then the pod's sandboxes: the app containers in parallel, then the
 * sidecars one by one in reverse order (they may serve the app containers until those are gone), within what
 * is left of a deletion's grace period.
 */
export async function killPod(
  d: PodSyncDeps,
  pod: Pod,
  observed: ObservedPod,
  graceOverride: number | undefined,
): Promise<void> {
  const sidecars = (pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name);
  const running = observed.containers.filter((c) => c.state === 'running' || c.state === 'created');
  const stop = (c: ObservedContainer, grace: number | undefined): Promise<void> =>
    killContainer(
      d,
      pod,
      { id: c.id, name: c.name, message: `Stopping container ${c.name}` },
      observed,
      grace,
    );
  const started = d.clock.now();
  await Promise.all(running.filter((c) => !sidecars.includes(c.name)).map((c) => stop(c, graceOverride)));
  for (const name of [...sidecars].reverse()) {
    const left =
      graceOverride === undefined
        ? undefined
        : Math.max(0, graceOverride - Math.floor((d.clock.now() - started) / 1000));
    for (const c of running.filter((r) => r.name === name)) await stop(c, left);
  }
  for (const sb of observed.sandboxes) if (sb.state === 'ready') await d.runtime.stopPodSandbox(sb.id);
}

/** Removes every sandbox and container of the pod (after it was killed). */
export async function removePod(d: PodSyncDeps, observed: ObservedPod): Promise<void> {
  for (const c of observed.containers) await d.runtime.removeContainer(c.id);
  for (const sb of observed.sandboxes) await d.runtime.removePodSandbox(sb.id);
}

/**
 * Drops exited containers beyond the newest per name, older instances that never ran or lost their monitor
 * (left by an agent killed part-way), and old sandboxes nothing lives in any more.
 */
export async function collectGarbage(
  d: PodSyncDeps,
  observed: ObservedPod,
  /** Names a new instance was just started for: their newest observed instance is a predecessor now. */
  started: ReadonlySet<string> = new Set(),
): Promise<void> {
  const exitedSeen = new Map<string, number>();
  for (const c of observed.containers) {
    if ((c.state === 'unknown' || c.state === 'created') && findContainer(observed, c.name)?.id !== c.id) {
      await d.runtime
        .removeContainer(c.id)
        .catch((err: unknown) =>
          d.logger.warn('removing a stale container failed', { container: c.id, error: String(err) }),
        );
      continue;
    }
    // The newest instance of a name plus one exited predecessor stay for status and lastState (the pod status
    // may still name that predecessor for a moment after the newest one exited too: `logs --previous`).
    if (c.state !== 'exited') continue;
    if (findContainer(observed, c.name)?.id === c.id && !started.has(c.name)) continue;
    const n = (exitedSeen.get(c.name) ?? 0) + 1;
    exitedSeen.set(c.name, n);
    if (n <= KEEP_EXITED) continue;
    await d.runtime.removeContainer(c.id).catch(() => {});
    if (c.terminationMessageFile) await fs.rm(c.terminationMessageFile, { force: true });
  }
  if (observed.sandboxes.length < 2) return;
  const listed = await d.runtime.listContainers({ labelSelector: { [POD_UID_LABEL]: observed.uid } });
  const liveSandboxes = new Set(listed.map((c) => c.podSandboxId));
  for (const sb of observed.sandboxes.slice(1)) {
    if (sb.state !== 'ready' && !liveSandboxes.has(sb.id))
      await d.runtime
        .removePodSandbox(sb.id)
        .catch((err: unknown) =>
          d.logger.warn('removing an old sandbox failed', { sandbox: sb.id, error: String(err) }),
        );
  }
}
