import { join } from 'node:path';
/**
 * Starting one container (upstream kuberuntime_container.go startContainer): image, environment, mounts,
 * create, start, postStart hook. A failure is recorded as the container's waiting reason and returned.
 */
import type { ConfigMap, Container, EphemeralContainer, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { backoffKey } from './compute-pod-actions.js';
import { expandCommand, makeEnvironment, referencedObjects } from './container-env.js';
import { containerConfig, gracePeriodSeconds } from './container-config.js';
import type { PodSandboxConfig } from './cri/types.js';
import { ImagePullError } from './image-puller.js';
import { runLifecycleHandler } from './lifecycle-hooks.js';
import { downwardContext, podIPs, type PodSyncDeps } from './pod-sync-deps.js';
import { authConfigsFor } from './pull-secrets.js';
import { findContainer, type ObservedPod } from './runtime-state.js';
import { terminationMessageMount } from './termination-message.js';
import { makeMounts } from './volumes/mounts.js';
import type { MountedVolume } from './volumes/volume-manager.js';

export async function startContainer(
  d: PodSyncDeps,
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
    d.startFailures.set(uid, c.name, { reason, message });
    d.event(pod, 'Warning', 'Failed', `Error: ${reason === 'CreateContainerConfigError' ? message : reason}`);
    return `${reason}: ${message}`;
  };
  let image: { image: string; imageRef: string };
  try {
    const secrets = await pullSecrets(d, pod);
    image = await d.puller.ensure(pod, c, authConfigsFor(c.image ?? '', secrets), (t, r, m) =>
      d.event(pod, t, r, m),
    );
  } catch (err) {
    if (err instanceof ImagePullError) {
      d.startFailures.set(uid, c.name, { reason: err.reason, message: err.message });
      d.event(pod, 'Warning', 'Failed', `Error: ${err.reason}`);
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
    for (const n of refs.configMaps) cms.set(n, await d.configMap(ns, n));
    for (const n of refs.secrets) secs.set(n, await d.secret(ns, n));
    const { env, warnings } = makeEnvironment({
      ...downwardContext(d, pod, { ...observed }),
      podIPs: podIP ? [podIP] : podIPs(d, pod, observed),
      container: c,
      configMap: (n) => cms.get(n),
      secret: (n) => secs.get(n),
      ...(d.serviceEnv ? { serviceEnv: await d.serviceEnv(pod) } : {}),
    });
    for (const w of warnings) d.event(pod, 'Warning', w.reason, w.message);
    const { command, args } = expandCommand(c, env);
    const mounts = await makeMounts(c, volumes, env);
    const termination = await terminationMessageMount(d.volumes.podDir(pod.metadata?.uid ?? ''), c);
    if (termination && !mounts.some((m) => m.containerPath === termination.mount.containerPath)) {
      mounts.push(termination.mount);
    }
    const prior = findContainer(observed, c.name);
    config = containerConfig({
      pod,
      container: c,
      restartCount: prior ? prior.restartCount + 1 : 0,
      image,
      env,
      command,
      args,
      mounts,
      memoryCapacity: d.node().memoryCapacityBytes,
      seccompProfileRoot: join(d.rootDir, 'seccomp'),
      ...(termination ? { terminationMessageFile: termination.hostPath } : {}),
    });
    const target = (c as EphemeralContainer).targetContainerName;
    if (target) {
      const t = findContainer(observed, target);
      if (!t) throw new Error(`target container "${target}" not found`);
      const ns = config.linux.securityContext.namespaceOptions;
      config.linux.securityContext.namespaceOptions = { ...ns, pid: 'target', targetId: t.id };
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail('CreateContainerConfigError', message);
  }
  const prior = findContainer(observed, c.name);
  if (prior?.state === 'exited' && prior.finishedAt !== undefined) {
    d.backoff.next(backoffKey(pod, c), prior.finishedAt);
  }
  let id: string;
  try {
    id = await d.runtime.createContainer(sandboxId, config, sbConfig);
  } catch (err) {
    return fail('CreateContainerError', err instanceof Error ? err.message : String(err));
  }
  d.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
  try {
    await d.runtime.startContainer(id);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    d.event(pod, 'Warning', 'Failed', `Error: ${message}`);
    d.startFailures.set(uid, c.name, { reason: 'RunContainerError', message });
    return `RunContainerError: ${message}`;
  }
  d.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  d.startFailures.clear(uid, c.name);
  const postStart = c.lifecycle?.postStart;
  if (postStart) {
    const failed = await runLifecycleHandler(postStart, {
      runtime: d.runtime,
      pod,
      container: c,
      containerId: id,
      podIP,
      timeoutSeconds: gracePeriodSeconds(pod),
    });
    if (failed) {
      d.event(pod, 'Warning', 'FailedPostStartHook', failed);
      await d.runtime.stopContainer(id, 0);
      d.startFailures.set(uid, c.name, { reason: 'PostStartHookError', message: failed });
      return `PostStartHookError: ${failed}`;
    }
  }
  return undefined;
}

async function pullSecrets(d: PodSyncDeps, pod: Pod): Promise<Secret[]> {
  const ns = pod.metadata?.namespace ?? '';
  const out: Secret[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const s = await d.secret(ns, ref.name);
    if (s) out.push(s);
    else d.logger.warn('image pull secret not found', { namespace: ns, name: ref.name });
  }
  return out;
}
