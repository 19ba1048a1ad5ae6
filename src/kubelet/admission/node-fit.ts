/**
 * The agent's own admission of a pod new to it (upstream kubelet predicateAdmitHandler): a pod bound with
 * `spec.nodeName` never met the scheduler, and a scheduled one may meet a node that changed meanwhile, so before
 * anything starts the pod must fit here as the scheduler would check it: pod count and resource requests against
 * allocatable minus the active pods' requests, node name, node selector and required node affinity, host ports,
 * and (the only taints the agent minds) NoExecute taints. The first failure is the reason, in upstream's words.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { podMatchesNodeSelectorAndAffinity } from '../../api/node-affinity.js';
import { podRequestsMilli } from '../../api/pods.js';
import { parseQuantity, quantityMilliValue } from '../../api/quantity.js';
import { firstUntoleratedTaint } from '../../api/taints.js';
import { nodePressureConditions, pressureRefusal } from './pressure.js';

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

const ADMIT: AdmitResult = { admit: true };

/** Resources checked before extended ones, in upstream's order. */
const NATIVE = ['cpu', 'memory', 'ephemeral-storage'];

function predicateFailure(name: string, desc: string): AdmitResult {
  return { admit: false, reason: name, message: `Predicate ${name} failed: ${desc}` };
}

/** The number upstream prints: millicores for cpu, whole units (bytes, devices) for everything else. */
function shown(name: string, milli: bigint): bigint {
  return name === 'cpu' ? milli : milli / 1000n;
}

/** An extended resource (upstream IsExtendedResourceName): a domain-qualified name outside kubernetes.io. */
function isExtended(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

function insufficient(name: string, requested: bigint, used: bigint, capacity: bigint): AdmitResult {
  return {
    admit: false,
    reason: `OutOf${name}`,
    message: `Node didn't have enough resource: ${name}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

function resourceFit(pod: Pod, active: Pod[], node: Node): AdmitResult {
  const allocatable = new Map<string, bigint>();
  for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
    allocatable.set(k, quantityMilliValue(parseQuantity(v)));
  }
  const allowedPods = (allocatable.get('pods') ?? 0n) / 1000n;
  if (BigInt(active.length) + 1n > allowedPods) {
    return insufficient('pods', 1n, BigInt(active.length), allowedPods);
  }
  const used = new Map<string, bigint>();
  for (const p of active) {
    for (const [k, v] of podRequestsMilli(p)) used.set(k, (used.get(k) ?? 0n) + v);
  }
  const wanted = podRequestsMilli(pod);
  const extended = [...wanted.keys()].filter((k) => !NATIVE.includes(k)).sort();
  for (const name of [...NATIVE, ...extended]) {
    const want = wanted.get(name) ?? 0n;
    if (want === 0n) continue;
    // Extended resources the node does not know are cluster-level ones: not the node's to refuse.
    if (isExtended(name) && !allocatable.has(name)) continue;
    if (!NATIVE.includes(name) && !isExtended(name) && !name.startsWith('hugepages-')) continue;
    const capacity = allocatable.get(name) ?? 0n;
    const inUse = used.get(name) ?? 0n;
    if (want > capacity - inUse) {
      return insufficient(name, shown(name, want), shown(name, inUse), shown(name, capacity));
    }
  }
  return ADMIT;
}

interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort)
        out.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  return out;
}

/** Two pods clash on a host port of the same protocol bound to the same IP, or to any IP on either side. */
function portsConflict(pod: Pod, active: Pod[]): boolean {
  const wanted = hostPorts(pod);
  if (wanted.length === 0) return false;
  const taken = active.flatMap(hostPorts);
  return wanted.some((w) =>
    taken.some(
      (t) =>
        t.protocol === w.protocol &&
        t.port === w.port &&
        (t.ip === w.ip || t.ip === '0.0.0.0' || w.ip === '0.0.0.0'),
    ),
  );
}

/** Whether pod may start on node beside the active pods (those admitted before and not finished). */
export function admitToNode(
  pod: Pod,
  active: Pod[],
  node: Node,
  pressureConditions: readonly string[] = nodePressureConditions(node),
): AdmitResult {
  // Upstream's eviction admission handler comes before the predicates.
  const pressure = pressureRefusal(pod, pressureConditions);
  if (pressure) return pressure;
  const fit = resourceFit(pod, active, node);
  if (!fit.admit) return fit;
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) {
    return predicateFailure('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  }
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata?.name) {
    return predicateFailure('NodeName', "node(s) didn't match the requested node name");
  }
  if (portsConflict(pod, active)) {
    return predicateFailure('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  }
  if (firstUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, ['NoExecute'])) {
    return predicateFailure('TaintToleration', "node(s) had taints that the pod didn't tolerate");
  }
  return ADMIT;
}
