/**
 * The Node object and status the kubelet reports (upstream kubelet_node_status.go and nodestatus setters):
 * capacity, allocatable (capacity − reserved − hard eviction thresholds), addresses, nodeInfo, and the
 * Ready / MemoryPressure / DiskPressure / PIDPressure conditions from host readings.
 */
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../../api/quantity.js';
import { rfc3339 } from '../../util/clock.js';
import type { RuntimeCondition } from '../cri/types.js';
import { pressureConditionsOf, pressureSignals } from '../eviction/ranking.js';
import { thresholdAmount, type Thresholds } from '../eviction/thresholds.js';
import type { HostInfo, HostReadings } from './host-readings.js';

export interface NodeStatusInput {
  readings: HostReadings;
  info: HostInfo;
  nodeIP: string;
  hostname: string;
  maxPods: number;
  /** kube-reserved + system-reserved, e.g. `{cpu: '100m', memory: '256Mi'}`. */
  reserved: Record<string, string>;
  thresholds: Thresholds;
  /** Soft eviction thresholds: met, they raise the pressure conditions too (allocatable leaves them out). */
  softThresholds?: Thresholds;
  runtime: { conditions: RuntimeCondition[]; warnings: string[]; version: string; handlers?: string[] };
  kubeletVersion: string;
  kubeletPort: number;
}

const ki = (bytes: number): string => `${Math.floor(bytes / 1024)}Ki`;

function reservedOf(reserved: Record<string, string>, name: string, milli = false): number {
  const v = reserved[name];
  if (v === undefined) return 0;
  const q = parseQuantity(v);
  return Number(milli ? quantityMilliValue(q) : quantityValue(q));
}

export function capacityAndAllocatable(i: NodeStatusInput): {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
} {
  const r = i.readings;
  const capacity = {
    cpu: String(r.cpuCores),
    memory: ki(r.memoryTotalBytes),
    pods: String(i.maxPods),
    'ephemeral-storage': ki(r.fsCapacityBytes),
  };
  const cpuMilli = Math.max(0, r.cpuCores * 1000 - reservedOf(i.reserved, 'cpu', true));
  const mem = Math.max(
    0,
    r.memoryTotalBytes -
      reservedOf(i.reserved, 'memory') -
      thresholdAmount(i.thresholds['memory.available'], r.memoryTotalBytes),
  );
  const storage = Math.max(
    0,
    Math.floor(
      r.fsCapacityBytes -
        reservedOf(i.reserved, 'ephemeral-storage') -
        thresholdAmount(i.thresholds['nodefs.available'], r.fsCapacityBytes),
    ),
  );
  const allocatable = {
    cpu: cpuMilli % 1000 === 0 ? String(cpuMilli / 1000) : `${cpuMilli}m`,
    memory: ki(mem),
    pods: String(i.maxPods),
    'ephemeral-storage': String(storage),
  };
  return { capacity, allocatable };
}

type Cond = Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>;

export function nodeConditions(i: NodeStatusInput): Cond[] {
  const r = i.readings;
  const pressure = pressureConditionsOf([
    ...pressureSignals(r, i.thresholds),
    ...(i.softThresholds ? pressureSignals(r, i.softThresholds) : []),
  ]);
  const memPressure = pressure.includes('MemoryPressure');
  const diskPressure = pressure.includes('DiskPressure');
  const pidPressure = pressure.includes('PIDPressure');
  const problems: string[] = [];
  for (const c of i.runtime.conditions) {
    if (c.status) continue;
    const what =
      c.type === 'RuntimeReady' ? 'container runtime not ready' : 'container runtime network not ready';
    problems.push(`${what}: ${c.type}=false reason:${c.reason ?? ''} message:${c.message ?? ''}`);
  }
  let readyMessage = 'kubelet is posting ready status';
  if (i.runtime.warnings.length) readyMessage += `. WARNING: ${i.runtime.warnings.join('; ')}`;
  return [
    memPressure
      ? {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        }
      : {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
        },
    diskPressure
      ? {
          type: 'DiskPressure',
          status: 'True',
          reason: 'KubeletHasDiskPressure',
          message: 'kubelet has disk pressure',
        }
      : {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
        },
    pidPressure
      ? {
          type: 'PIDPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientPID',
          message: 'kubelet has insufficient PID available',
        }
      : {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
        },
    problems.length
      ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problems.join(', ') }
      : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: readyMessage },
  ];
}

/** Conditions with heartbeat = now and transition times kept from `old` where the status did not change. */
export function stampConditions(
  conds: Cond[],
  old: NodeCondition[] | undefined,
  nowMs: number,
): NodeCondition[] {
  const now = rfc3339(nowMs);
  return conds.map((c) => {
    const prior = old?.find((o) => o.type === c.type);
    const since =
      prior && prior.status === c.status && prior.lastTransitionTime ? prior.lastTransitionTime : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: since };
  });
}

export function nodeStatus(i: NodeStatusInput): Omit<NodeStatus, 'conditions'> {
  const { capacity, allocatable } = capacityAndAllocatable(i);
  return {
    capacity,
    allocatable,
    addresses: [
      { type: 'InternalIP', address: i.nodeIP },
      { type: 'Hostname', address: i.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: i.kubeletPort } },
    ...(i.runtime.handlers?.length ? { runtimeHandlers: i.runtime.handlers.map((name) => ({ name })) } : {}),
    nodeInfo: {
      machineID: i.info.machineID,
      systemUUID: i.info.machineID,
      bootID: i.info.bootID,
      kernelVersion: i.info.kernelVersion,
      osImage: i.info.osImage,
      containerRuntimeVersion: i.runtime.version,
      kubeletVersion: i.kubeletVersion,
      kubeProxyVersion: i.kubeletVersion,
      operatingSystem: 'linux',
      architecture: i.info.architecture,
    },
  };
}

export function nodeObject(name: string, i: NodeStatusInput): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': i.hostname,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': i.info.architecture,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': i.info.architecture,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
  };
}

/** A kubelet shutting down: Ready=False, the pressure conditions Unknown. */
export function shuttingDownConditions(nowMs: number): NodeCondition[] {
  const now = rfc3339(nowMs);
  const unknown = (type: string): NodeCondition => ({
    type,
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    unknown('MemoryPressure'),
    unknown('DiskPressure'),
    unknown('PIDPressure'),
    {
      type: 'Ready',
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'node is shutting down',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    },
  ];
}
