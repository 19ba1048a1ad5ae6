/**
 * Executes computePodActions against the runtime (upstream kuberuntime_manager.go SyncPod): volumes, kills,
 * sandbox, init containers one at a time (sidecars kept running), then app containers; start failures become
 * waiting reasons.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions } from './compute-pod-actions.js';
import { startContainer } from './container-start.js';
import { collectGarbage, killContainer, killPod, removePod } from './pod-kill.js';
import { downwardContext, podIPs, type PodSyncDeps } from './pod-sync-deps.js';
import type { ObservedPod } from './runtime-state.js';
import { sandboxConfig } from './sandbox-config.js';
import { VolumeSetupError, type MountedVolume } from './volumes/volume-manager.js';

export type { NodeFacts, PodEvent, PodSyncDeps } from './pod-sync-deps.js';

export class PodSyncer {
  constructor(private readonly d: PodSyncDeps) {}

  /** Sets up (or refreshes) the pod's volumes; a failure is a FailedMount event and an error. */
  async setUpVolumes(pod: Pod, observed: ObservedPod): Promise<Map<string, MountedVolume>> {
    try {
      const started = observed.sandboxes.length > 0;
      return await this.d.volumes.setUp(pod, downwardContext(this.d, pod, observed), started);
    } catch (err) {
      if (err instanceof VolumeSetupError) this.d.event(pod, 'Warning', 'FailedMount', err.message);
      throw err;
    }
  }

  /**
   * One sync: returns the errors that should make the pod worker retry (empty when all went well) and, when
   * containers wait out a back-off, when the earliest one ends.
   */
  async syncPod(pod: Pod, observed: ObservedPod): Promise<{ errors: string[]; retryInMs?: number }> {
    const { runtime } = this.d;
    const uid = pod.metadata?.uid ?? '';
    const volumes = await this.setUpVolumes(pod, observed);
    const now = this.d.clock.now();
    const actions = computePodActions({
      pod,
      observed,
      now,
      backoff: this.d.backoff,
      liveness: (id) => this.d.probes.result('liveness', id),
      startup: (id) => this.d.probes.result('startup', id),
    });
    const errors: string[] = [];

    if (actions.killPod) {
      await killPod(this.d, pod, observed, undefined);
      if (!actions.createSandbox) return { errors };
    }
    await Promise.all(
      [...actions.containersToKill, ...actions.initContainersToKill].map((k) =>
        killContainer(this.d, pod, k, observed, undefined),
      ),
    );

    let sandboxId = actions.sandboxId ?? '';
    const clusterDns = typeof this.d.clusterDns === 'function' ? this.d.clusterDns() : this.d.clusterDns;
    const sbConfig = sandboxConfig(pod, actions.attempt, {
      rootDir: this.d.rootDir,
      ...(clusterDns ? { clusterDns } : {}),
      ...(this.d.hostDns ? { hostDns: this.d.hostDns } : {}),
    });
    let podIP = podIPs(this.d, pod, observed)[0] ?? '';
    if (actions.createSandbox) {
      try {
        sandboxId = await runtime.runPodSandbox(sbConfig, await this.runtimeHandlerOf(pod));
        const st = await runtime.podSandboxStatus(sandboxId);
        observed = { ...observed, sandboxes: [st, ...observed.sandboxes] };
        podIP = podIPs(this.d, pod, observed)[0] ?? '';
      } catch (err) {
        const msg = `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`;
        this.d.event(pod, 'Warning', 'FailedCreatePodSandBox', msg);
        return { errors: [msg] };
      }
    }

    for (const b of actions.backingOff) {
      this.d.startFailures.set(uid, b.name, { reason: 'CrashLoopBackOff', message: b.message });
      this.d.event(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${b.name} in pod ${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${uid})`,
      );
      errors.push(b.message);
    }

    const start = async (c: Container): Promise<void> => {
      const err = await startContainer(this.d, pod, c, sandboxId, sbConfig, observed, volumes, podIP);
      if (err) errors.push(err);
    };
    for (const i of actions.ephemeralContainersToStart) await start(pod.spec!.ephemeralContainers![i]!);
    for (const i of actions.initContainersToStart) await start(pod.spec!.initContainers![i]!);
    for (const i of actions.containersToStart) await start(pod.spec!.containers[i]!);
    const started = new Set([
      ...actions.ephemeralContainersToStart.map((i) => pod.spec!.ephemeralContainers![i]!.name),
      ...actions.initContainersToStart.map((i) => pod.spec!.initContainers![i]!.name),
      ...actions.containersToStart.map((i) => pod.spec!.containers[i]!.name),
    ]);
    await collectGarbage(this.d, observed, started);
    const waits = actions.backingOff.map((b) => b.retryInMs);
    return waits.length ? { errors, retryInMs: Math.min(...waits) } : { errors };
  }

  /** The handler of the pod's RuntimeClass ('' without one). */
  private async runtimeHandlerOf(pod: Pod): Promise<string> {
    const className = pod.spec?.runtimeClassName;
    if (!className) return '';
    if (!this.d.runtimeHandler)
      throw new Error(`RuntimeClass "${className}" cannot be looked up on this node`);
    return this.d.runtimeHandler(className);
  }

  killPod(pod: Pod, observed: ObservedPod, graceOverride: number | undefined): Promise<void> {
    return killPod(this.d, pod, observed, graceOverride);
  }

  removePod(observed: ObservedPod): Promise<void> {
    return removePod(this.d, observed);
  }
}
