import type { ContainerConfig, PodSandboxConfig } from '../../cri/types.js';
import type { ProcessIdentity } from '../common/proc.js';
import type { CniResult } from './cni.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: 'ready' | 'notready';
  createdAt: number;
  /** `ip netns` name, when the pod has its own network namespace. */
  netnsName?: string;
  netnsPath?: string;
  ipcPath?: string;
  utsPath?: string;
  /** PID 1 of the pod's shared PID namespace (shareProcessNamespace); absent when each container has its own. */
  pidHolder?: ProcessIdentity;
  ip?: string;
  /** The CNI ADD result while the network is attached (DEL needs it). */
  cniResult?: CniResult;
  networkAttached: boolean;
  /** cgroup path (relative to each hierarchy root) that holds the pod's containers. */
  cgroupParent: string;
  /** The runtime handler (OCI binary) the pod asked for; absent: the default. */
  runtimeHandler?: string;
}

export interface FinishedState {
  exitCode: number;
  finishedAt: number;
  reason: string;
  message?: string;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  createdAt: number;
  startedAt?: number;
  logPath: string;
  cgroupsPath: string;
  pid: number;
  conmon?: ProcessIdentity;
  finished?: FinishedState;
  /** The OCI binary it was created with (its sandbox's handler); absent: the default. */
  runtime?: string;
}
