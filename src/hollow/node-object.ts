import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';

export interface NodeShape {
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
}

export const HOLLOW_RUNTIME_VERSION = 'hollow://0.1.0';
export const HOLLOW_KUBELET_VERSION = 'v1.32.0-hollow';

/**
 * A distinct loopback address per node: 127.1.0.1, 127.1.0.2, … (index 0 → 127.1.0.1). Linux routes all of
 * 127.0.0.0/8 to lo, so one process can answer for thousands of kubelet endpoints.
 */
export function loopbackAddress(index: number): string {
  const n = (1 << 16) + index + 1;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Index from a loopbackAddress, or undefined for any other address. */
export function indexOfLoopback(address: string): number | undefined {
  const m = /^(?:::ffff:)?127\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (!m) return undefined;
  const n = (Number(m[1]) << 16) + (Number(m[2]) << 8) + Number(m[3]);
  const index = n - (1 << 16) - 1;
  return index >= 0 ? index : undefined;
}

/**
 * The node's pod range when node.spec.podCIDR is unset: a /24 of 10.42.0.0/16 for the first 256 nodes, then
 * /24s of 10.128.0.0/9 (the cluster CIDR is too small for a /24 per node beyond that).
 */
export function defaultPodCidr(index: number): string {
  if (index < 256) return `10.42.${index}.0/24`;
  const n = index - 256;
  return `10.${128 + ((n >> 8) & 127)}.${n & 255}.0/24`;
}

/** The ready condition set a healthy kubelet reports. */
export function healthyConditions(nowMs: number, since?: Map<string, string>): NodeCondition[] {
  const now = rfc3339(nowMs);
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: since?.get(`${type}=${status}`) ?? now,
  });
  return [
    cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** A hollow kubelet shutting down reports what a real one does. */
export { shuttingDownConditions } from '../kubelet/node/node-status.js';

export function nodeObject(name: string, index: number, shape: NodeShape, port: number): Node {
  const capacity = {
    cpu: shape.cpu,
    memory: shape.memory,
    pods: shape.pods,
    'ephemeral-storage': shape.ephemeralStorage,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'hollow',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status: {
      capacity,
      allocatable: { ...capacity },
      addresses: [
        { type: 'InternalIP', address: loopbackAddress(index) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
      nodeInfo: {
        machineID: `hollow-${index}`,
        systemUUID: `hollow-${index}`,
        bootID: `hollow-${index}`,
        kernelVersion: 'hollow',
        osImage: 'Hollow Node',
        containerRuntimeVersion: HOLLOW_RUNTIME_VERSION,
        kubeletVersion: HOLLOW_KUBELET_VERSION,
        kubeProxyVersion: HOLLOW_KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}
