/** What pod sync needs from the kubelet, and the pod facts its parts share. */
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { CrashBackoff } from './crash-backoff.js';
import type { RuntimeService } from './cri/services.js';
import type { DnsConfig } from './cri/types.js';
import type { DownwardContext } from './downward-api.js';
import type { ImagePuller } from './image-puller.js';
import type { ProbeManager } from './probes/probe-manager.js';
import type { ObservedPod } from './runtime-state.js';
import type { ClusterDns } from './sandbox-config.js';
import type { StartFailures } from './start-failures.js';
import type { VolumeManager } from './volumes/volume-manager.js';

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
  clusterDns?: ClusterDns | (() => ClusterDns | undefined);
  hostDns?: DnsConfig;
  /**
   * The handler of a RuntimeClass (upstream's runtime class manager); rejects when the class does not exist.
   * Without it, pods naming a RuntimeClass are not started.
   */
  runtimeHandler?: (runtimeClassName: string) => Promise<string>;
}

/** The pod's IPs: the ready sandbox's, the host's for hostNetwork, else what the status last said. */
export function podIPs(d: PodSyncDeps, pod: Pod, observed: ObservedPod): string[] {
  if (pod.spec?.hostNetwork) return d.node().hostIPs;
  const ready = observed.sandboxes.find((s) => s.state === 'ready');
  if (ready && !ready.network) return d.node().hostIPs;
  const sb = observed.sandboxes.find((s) => s.state === 'ready' && s.network?.ip);
  if (sb?.network) return [sb.network.ip, ...sb.network.additionalIps];
  return (pod.status?.podIPs ?? []).map((p) => p.ip ?? '').filter(Boolean);
}

export function downwardContext(d: PodSyncDeps, pod: Pod, observed: ObservedPod): DownwardContext {
  const node = d.node();
  return { pod, podIPs: podIPs(d, pod, observed), hostIPs: node.hostIPs, allocatable: node.allocatable };
}
