/**
 * Executes computePodActions against the runtime (upstream kuberuntime_manager.go SyncPod and killPod):
 * volumes, sandbox, kills, init containers one at a time, app containers, image pulls, env, hooks, and the
 * reason each container could not start.
 */
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { backoffKey, computePodActions, type ContainerToKill } from './compute-pod-actions.js';
import { expandCommand, makeEnvironment, referencedObjects } from './container-env.js';
import { containerConfig, gracePeriodSeconds } from './container-config.js';
import type { CrashBackoff } from './crash-backoff.js';
import type { RuntimeService } from './cri/services.js';
import type { DnsConfig, PodSandboxConfig } from './cri/types.js';
import type { DownwardContext } from './downward-api.js';
import { ImagePullError, type ImagePuller } from './image-puller.js';
import { POD_UID_LABEL } from './labels.js';
import { runLifecycleHandler } from './lifecycle-hooks.js';
import { terminationMessageMount } from './termination-message.js';
import type { ProbeManager } from './probes/probe-manager.js';
import { authConfigsFor } from './pull-secrets.js';
import { findContainer, type ObservedPod } from './runtime-state.js';
import { sandboxConfig, type ClusterDns } from './sandbox-config.js';
import type { StartFailures } from './start-failures.js';
import { makeMounts } from './volumes/mounts.js';
import { VolumeSetupError, type MountedVolume, type VolumeManager } from './volumes/volume-manager.js';

export type PodEvent = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface NodeFacts {
  hostIPs: string[];
  allocatable: Record<string, string>;
  memoryCapacityBytes: number;
}

export interface PodSyncDeps {
  runtime: RuntimeService;
  puller: ImagePuller;
  volumes: VolumeManager;
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Service link variables for a pod (KUBERNETES_SERVICE_HOST…); empty when not wired. */
  serviceEnv?: (pod: Pod) => Promise<Map<string, string>>;
  probes: ProbeManager;
  backoff: CrashBackoff;
  startFailures: StartFailures;
  clock: Clock;
  logger: Logger;
  event: PodEvent;
  node: () => NodeFacts;
  rootDir: string;
  clusterDns?: ClusterDns;
  hostDns?: DnsConfig;
}

/** Upstream's minimum grace for a stop that was not forced. */
const MIN_GRACE_SECONDS = 2;
/** Exited instances kept per container name (the newest feeds lastState). */
const KEEP_EXITED = 1;

export class PodSyncer {
  constructor(private readonly d: PodSyncDeps) {}

  podIPs(pod: Pod, observed: ObservedPod): string[] {
    if (pod.spec?.hostNetwork) return this.d.node().hostIPs;
    const sb = observed.sandboxes.find((s) => s.state === 'ready' && s.network?.ip);
    if (sb?.network) return [sb.network.ip, ...sb.network.additionalIps];
    return (pod.status?.podIPs ?? []).map((p) => p.ip ?? '').filter(Boolean);
  }

  downwardContext(pod: Pod, observed: ObservedPod): DownwardContext {
    const node = this.d.node();
    return { pod, podIPs: this.podIPs(pod, observed), hostIPs: node.hostIPs, allocatable: node.allocatable };
  }

  /** Sets up (or refreshes) the pod's volumes; a failure is a FailedMount event and an error. */
  async setUpVolumes(pod: Pod, observed: ObservedPod): Promise<Map<string, MountedVolume>> {
    try {
      return await this.d.volumes.setUp(pod, this.downwardContext(pod, observed));
    } catch (err) {
      if (err instanceof VolumeSetupError) this.d.event(pod, 'Warning', 'FailedMount', err.message);
      throw err;
    }
  }

  /** One sync: returns the errors that should make the pod worker retry (empty when all went well). */
  async syncPod(pod: Pod, observed: ObservedPod): Promise<string[]> {
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
      await this.killPod(pod, observed, undefined);
      if (!actions.createSandbox) return errors;
    }
    await Promise.all(
      [...actions.containersToKill, ...actions.initContainersToKill].map((k) =>
        this.killContainer(pod, k, observed, undefined),
      ),
    );

    let sandboxId = actions.sandboxId ?? '';
    const sbConfig = sandboxConfig(pod, actions.attempt, {
      rootDir: this.d.rootDir,
      ...(this.d.clusterDns ? { clusterDns: this.d.clusterDns } : {}),
      ...(this.d.hostDns ? { hostDns: this.d.hostDns } : {}),
    });
    let podIP = this.podIPs(pod, observed)[0] ?? '';
    if (actions.createSandbox) {
      try {
        sandboxId = await runtime.runPodSandbox(sbConfig);
        const st = await runtime.podSandboxStatus(sandboxId);
        observed = { ...observed, sandboxes: [st, ...observed.sandboxes] };
        podIP = st.network?.ip ?? (pod.spec?.hostNetwork ? (this.d.node().hostIPs[0] ?? '') : '');
      } catch (err) {
        const msg = `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`;
        this.d.event(pod, 'Warning', 'FailedCreatePodSandBox', msg);
        return [msg];
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
      const err = await this.startContainer(pod, c, sandboxId, sbConfig, observed, volumes, podIP);
      if (err) errors.push(err);
    };
    if (actions.nextInitContainer !== undefined) {
      await start(pod.spec!.initContainers![actions.nextInitContainer]!);
    } else {
      for (const i of actions.containersToStart) await start(pod.spec!.containers[i]!);
    }
    await this.collectGarbage(observed);
    return errors;
  }

  private async startContainer(
    pod: Pod,
    c: Container,
    sandboxId: string,
    sbConfig: PodSandboxConfig,
    observed: ObservedPod,
    volumes: Map<string, MountedVolume>,
    podIP: string,
  ): Promise<string | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const fail = (reason: string, message: string): string => {
      this.d.startFailures.set(uid, c.name, { reason, message });
      this.d.event(
        pod,
        'Warning',
        'Failed',
        `Error: ${reason === 'CreateContainerConfigError' ? message : reason}`,
      );
      return `${reason}: ${message}`;
    };
    let image: { image: string; imageRef: string };
    try {
      const secrets = await this.pullSecrets(pod);
      image = await this.d.puller.ensure(pod, c, authConfigsFor(c.image ?? '', secrets), (t, r, m) =>
        this.d.event(pod, t, r, m),
      );
    } catch (err) {
      if (err instanceof ImagePullError) {
        this.d.startFailures.set(uid, c.name, { reason: err.reason, message: err.message });
        this.d.event(pod, 'Warning', 'Failed', `Error: ${err.reason}`);
        return `${err.reason}: ${err.message}`;
      }
      throw err;
    }
    let config;
    try {
      const refs = referencedObjects(c);
      const ns = pod.metadata?.namespace ?? '';
      const cms = new Map<string, ConfigMap | undefined>();
      const secs = new Map<string, Secret | undefined>();
      for (const n of refs.configMaps) cms.set(n, await this.d.configMap(ns, n));
      for (const n of refs.secrets) secs.set(n, await this.d.secret(ns, n));
      const { env, warnings } = makeEnvironment({
        ...this.downwardContext(pod, { ...observed }),
        podIPs: podIP ? [podIP] : this.podIPs(pod, observed),
        container: c,
        configMap: (n) => cms.get(n),
        secret: (n) => secs.get(n),
        ...(this.d.serviceEnv ? { serviceEnv: await this.d.serviceEnv(pod) } : {}),
      });
      for (const w of warnings) this.d.event(pod, 'Warning', w.reason, w.message);
      const { command, args } = expandCommand(c, env);
      const mounts = await makeMounts(c, volumes, env);
      const termination = await terminationMessageMount(this.d.volumes.podDir(pod.metadata?.uid ?? ''), c);
      if (termination && !mounts.some((m) => m.containerPath === termination.mount.containerPath)) {
        mounts.push(termination.mount);
      }
      const prior = findContainer(observed, c.name);
      config = containerConfig({
        pod,
        container: c,
        restartCount: prior ? prior.restartCount + 1 : 0,
        image: image.image,
        env,
        command,
        args,
        mounts,
        memoryCapacity: this.d.node().memoryCapacityBytes,
        ...(termination ? { terminationMessageFile: termination.hostPath } : {}),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return fail('CreateContainerConfigError', message);
    }
    const prior = findContainer(observed, c.name);
    if (prior?.state === 'exited' && prior.finishedAt !== undefined) {
      this.d.backoff.next(backoffKey(pod, c), prior.finishedAt);
    }
    let id: string;
    try {
      id = await this.d.runtime.createContainer(sandboxId, config, sbConfig);
    } catch (err) {
      return fail('CreateContainerError', err instanceof Error ? err.message : String(err));
    }
    this.d.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.d.runtime.startContainer(id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.d.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      this.d.startFailures.set(uid, c.name, { reason: 'RunContainerError', message });
      return `RunContainerError: ${message}`;
    }
    this.d.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    this.d.startFailures.clear(uid, c.name);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const failed = await runLifecycleHandler(postStart, {
        runtime: this.d.runtime,
        pod,
        container: c,
        containerId: id,
        podIP,
        timeoutSeconds: gracePeriodSeconds(pod),
      });
      if (failed) {
        this.d.event(pod, 'Warning', 'FailedPostStartHook', failed);
        await this.d.runtime.stopContainer(id, 0);
        this.d.startFailures.set(uid, c.name, { reason: 'PostStartHookError', message: failed });
        return `PostStartHookError: ${failed}`;
      }
    }
    return undefined;
  }

  private async pullSecrets(pod: Pod): Promise<Secret[]> {
    const ns = pod.metadata?.namespace ?? '';
    const out: Secret[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      if (!ref.name) continue;
      const s = await this.d.secret(ns, ref.name);
      if (s) out.push(s);
      else this.d.logger.warn('image pull secret not found', { namespace: ns, name: ref.name });
    }
    return out;
  }

  /**
   * Stops one container: preStop hook within the grace period, then SIGTERM and SIGKILL after what is left of
   * it. `graceOverride` is the deletion's grace (seconds) when the pod is being deleted.
   */
  async killContainer(
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
    } else if (
      k.reason === 'StartupProbe' &&
      spec?.startupProbe?.terminationGracePeriodSeconds !== undefined
    ) {
      grace = spec.startupProbe.terminationGracePeriodSeconds;
    }
    const running = observed.containers.find((c) => c.id === k.id)?.state === 'running';
    this.d.event(pod, 'Normal', 'Killing', k.message || `Stopping container ${k.name}`);
    const started = this.d.clock.now();
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && running && grace > 0) {
      const failed = await runLifecycleHandler(preStop, {
        runtime: this.d.runtime,
        pod,
        container: spec,
        containerId: k.id,
        podIP: this.podIPs(pod, observed)[0] ?? '',
        timeoutSeconds: grace,
      });
      if (failed) this.d.event(pod, 'Warning', 'FailedPreStopHook', failed);
      grace -= Math.floor((this.d.clock.now() - started) / 1000);
    }
    if (graceOverride === undefined && grace < MIN_GRACE_SECONDS) grace = MIN_GRACE_SECONDS;
    await this.d.runtime.stopContainer(k.id, Math.max(0, grace));
  }

  /** Stops every running container (in parallel) and then the pod's sandboxes. */
  async killPod(pod: Pod, observed: ObservedPod, graceOverride: number | undefined): Promise<void> {
    const running = observed.containers.filter((c) => c.state === 'running' || c.state === 'created');
    await Promise.all(
      running.map((c) =>
        this.killContainer(
          pod,
          { id: c.id, name: c.name, message: `Stopping container ${c.name}` },
          observed,
          graceOverride,
        ),
      ),
    );
    for (const sb of observed.sandboxes) if (sb.state === 'ready') await this.d.runtime.stopPodSandbox(sb.id);
  }

  /** Removes every sandbox and container of the pod (after it was killed). */
  async removePod(observed: ObservedPod): Promise<void> {
    for (const c of observed.containers) await this.d.runtime.removeContainer(c.id);
    for (const sb of observed.sandboxes) await this.d.runtime.removePodSandbox(sb.id);
  }

  /** Drops exited containers beyond the newest per name, and old sandboxes nothing lives in any more. */
  private async collectGarbage(observed: ObservedPod): Promise<void> {
    const exitedSeen = new Map<string, number>();
    const kept = new Set<string>();
    for (const c of observed.containers) {
      if (c.state !== 'exited') {
        kept.add(c.id);
        continue;
      }
      const n = (exitedSeen.get(c.name) ?? 0) + 1;
      exitedSeen.set(c.name, n);
      // The newest instance of a name plus one exited predecessor stay for status and lastState.
      const newestIsThis = findContainer(observed, c.name)?.id === c.id;
      if (newestIsThis || n <= KEEP_EXITED) kept.add(c.id);
      else await this.d.runtime.removeContainer(c.id).catch(() => {});
    }
    if (observed.sandboxes.length < 2) return;
    const listed = await this.d.runtime.listContainers({ labelSelector: { [POD_UID_LABEL]: observed.uid } });
    const liveSandboxes = new Set(listed.map((c) => c.podSandboxId));
    for (const sb of observed.sandboxes.slice(1)) {
      if (sb.state !== 'ready' && !liveSandboxes.has(sb.id))
        await this.d.runtime.removePodSandbox(sb.id).catch(() => {});
    }
  }
}
