import { join } from 'node:path';
/** Container spec → CRI ContainerConfig: resources from requests/limits, merged security context. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../api/quantity.js';
import type {
  ContainerConfig,
  KeyValue,
  LinuxContainerResources,
  LinuxContainerSecurityContext,
  Mount,
} from './cri/types.js';
import {
  CONTAINER_HASH_ANNOTATION,
  containerHash,
  containerLabels,
  GRACE_PERIOD_ANNOTATION,
  RESTART_COUNT_ANNOTATION,
} from './labels.js';
import { qosClass } from '../api/qos.js';
import {
  TERMINATION_MESSAGE_FILE_ANNOTATION,
  TERMINATION_MESSAGE_POLICY_ANNOTATION,
} from './termination-message.js';
import { CPU_PERIOD, namespaceOptions } from './sandbox-config.js';

const MIN_SHARES = 2;

/** Upstream GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, container: Container, memoryCapacity: number): number {
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const req = container.resources?.requests?.memory;
  const bytes = req ? Number(quantityValue(parseQuantity(req))) : 0;
  const adj = memoryCapacity > 0 ? 1000 - Math.floor((1000 * bytes) / memoryCapacity) : 999;
  return Math.min(999, Math.max(2 + 1, adj));
}

export function containerResources(pod: Pod, c: Container, memoryCapacity: number): LinuxContainerResources {
  const r: LinuxContainerResources = {};
  const reqCpu = c.resources?.requests?.cpu ?? c.resources?.limits?.cpu;
  const milli = reqCpu !== undefined ? Number(quantityMilliValue(parseQuantity(reqCpu))) : 0;
  r.cpuShares = Math.max(MIN_SHARES, Math.floor((milli * 1024) / 1000));
  const limCpu = c.resources?.limits?.cpu;
  if (limCpu !== undefined) {
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = Math.max(
      1000,
      Math.floor((Number(quantityMilliValue(parseQuantity(limCpu))) * CPU_PERIOD) / 1000),
    );
  }
  const limMem = c.resources?.limits?.memory;
  if (limMem !== undefined) r.memoryLimitInBytes = Number(quantityValue(parseQuantity(limMem)));
  r.oomScoreAdj = oomScoreAdj(pod, c, memoryCapacity);
  return r;
}

export function securityContext(
  pod: Pod,
  c: Container,
  seccompProfileRoot: string,
): LinuxContainerSecurityContext {
  const ps = pod.spec?.securityContext ?? {};
  const cs = c.securityContext ?? {};
  const out: LinuxContainerSecurityContext = {
    privileged: cs.privileged ?? false,
    namespaceOptions: namespaceOptions(pod),
    readonlyRootfs: cs.readOnlyRootFilesystem ?? false,
    supplementalGroups: [...(ps.supplementalGroups ?? [])],
    noNewPrivs: cs.allowPrivilegeEscalation === false,
  };
  const user = cs.runAsUser ?? ps.runAsUser;
  const group = cs.runAsGroup ?? ps.runAsGroup;
  const nonRoot = cs.runAsNonRoot ?? ps.runAsNonRoot;
  if (user !== undefined) out.runAsUser = user;
  if (group !== undefined) out.runAsGroup = group;
  if (nonRoot !== undefined) out.runAsNonRoot = nonRoot;
  if (ps.fsGroup !== undefined) out.supplementalGroups.push(ps.fsGroup);
  const seccomp = cs.seccompProfile ?? ps.seccompProfile;
  if (seccomp?.type === 'RuntimeDefault' || seccomp?.type === 'Unconfined')
    out.seccomp = { profileType: seccomp.type };
  else if (seccomp?.type === 'Localhost') {
    out.seccomp = {
      profileType: 'Localhost',
      localhostRef: join(seccompProfileRoot, seccomp.localhostProfile ?? ''),
    };
  }
  if (cs.capabilities) {
    out.capabilities = {
      addCapabilities: [...(cs.capabilities.add ?? [])],
      dropCapabilities: [...(cs.capabilities.drop ?? [])],
    };
  }
  return out;
}

export function gracePeriodSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  restartCount: number;
  /** What the pod spec names, and the image id it resolved to (the runtime creates from the id). */
  image: { image: string; imageRef: string };
  env: KeyValue[];
  command: string[];
  args: string[];
  mounts: Mount[];
  memoryCapacity: number;
  /** Host file behind terminationMessagePath. */
  terminationMessageFile?: string;
  /** Where Localhost seccomp profiles live (the kubelet's `<root-dir>/seccomp`). */
  seccompProfileRoot: string;
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const c = i.container;
  const config: ContainerConfig = {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.image.imageRef, userSpecifiedImage: i.image.image },
    command: i.command,
    args: i.args,
    envs: i.env,
    mounts: i.mounts,
    labels: containerLabels(i.pod, c),
    annotations: {
      [CONTAINER_HASH_ANNOTATION]: containerHash(c),
      [RESTART_COUNT_ANNOTATION]: String(i.restartCount),
      [GRACE_PERIOD_ANNOTATION]: String(i.pod.spec?.terminationGracePeriodSeconds ?? 30),
      [TERMINATION_MESSAGE_POLICY_ANNOTATION]: c.terminationMessagePolicy ?? 'File',
      ...(i.terminationMessageFile
        ? { [TERMINATION_MESSAGE_FILE_ANNOTATION]: i.terminationMessageFile }
        : {}),
    },
    logPath: `${c.name}/${i.restartCount}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: containerResources(i.pod, c, i.memoryCapacity),
      securityContext: securityContext(i.pod, c, i.seccompProfileRoot),
    },
  };
  if (c.workingDir) config.workingDir = c.workingDir;
  return config;
}
