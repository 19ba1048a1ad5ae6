import type {
  PersistentVolumeClaim,
  Pod,
  PodAffinityTerm,
  ResourceQuotaSpec,
  Service,
} from 'kubernetes-types/core/v1.js';
import { podResourceTotals } from './pods.js';
import { qosClass } from './qos.js';
import { claimClass } from './storage-classes.js';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  quantityFromNanos,
  quantityValue,
  type Quantity,
} from './quantity.js';

/** The namespace's objects a quota is computed from. */
export interface NamespaceObjects {
  pods: readonly Pod[];
  services: readonly Service[];
  persistentVolumeClaims: readonly PersistentVolumeClaim[];
  /** Plain object counts by quota resource name (`configmaps`, `count/deployments.apps`, ...). */
  counts: ReadonlyMap<string, number>;
}

/** Object-count names with a legacy spelling besides `count/<resource>`. */
export const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'count/configmaps',
  secrets: 'count/secrets',
  services: 'count/services',
  persistentvolumeclaims: 'count/persistentvolumeclaims',
  replicationcontrollers: 'count/replicationcontrollers',
  resourcequotas: 'count/resourcequotas',
};

const STORAGE_CLASS_SUFFIXES = [
  '.storageclass.storage.k8s.io/requests.storage',
  '.storageclass.storage.k8s.io/persistentvolumeclaims',
];

/** Upstream QuotaV1Pod: terminal pods no longer use quota. */
export function podUsesQuota(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** One requirement of a quota's scope (upstream's ScopedResourceSelectorRequirement). */
export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/**
 * A quota's scopes, each as an `Exists` requirement, then its scope selector's expressions (upstream's
 * GetScopeSelectorsFromQuota): an object falls under the quota when it meets every one.
 */
export function quotaScopes(spec: ResourceQuotaSpec | undefined): ScopeRequirement[] {
  return [
    ...(spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

function crossNamespaceTerm(term: PodAffinityTerm | undefined): boolean {
  return !!term && ((term.namespaces?.length ?? 0) > 0 || !!term.namespaceSelector);
}

/** Whether any pod (anti-)affinity term reaches other namespaces (by a namespace list or selector). */
function usesCrossNamespacePodAffinity(pod: Pod): boolean {
  const affinity = pod.spec?.affinity;
  return [affinity?.podAffinity, affinity?.podAntiAffinity].some(
    (a) =>
      (a?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(crossNamespaceTerm) ||
      (a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) =>
        crossNamespaceTerm(w.podAffinityTerm),
      ),
  );
}

/** The PriorityClass scope as a label requirement on `PriorityClass=<the pod's class>` (absent without one). */
function priorityClassMatches(pod: Pod, req: ScopeRequirement): boolean {
  const name = pod.spec?.priorityClassName || undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'Exists':
      return name !== undefined;
    case 'DoesNotExist':
      return name === undefined;
    case 'In':
      return name !== undefined && values.includes(name);
    case 'NotIn':
      return name === undefined || !values.includes(name);
    default:
      return false;
  }
}

function podMatchesScope(pod: Pod, req: ScopeRequirement): boolean {
  const deadline = pod.spec?.activeDeadlineSeconds;
  const terminating = typeof deadline === 'number' && deadline >= 0;
  switch (req.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return qosClass(pod) === 'BestEffort';
    case 'NotBestEffort':
      return qosClass(pod) !== 'BestEffort';
    case 'PriorityClass':
      return priorityClassMatches(pod, req);
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespacePodAffinity(pod);
    default:
      return false;
  }
}

/** Whether a pod falls under every requirement of a quota's scopes (upstream's pod evaluator). */
export function podMatchesScopes(pod: Pod, scopes: readonly ScopeRequirement[]): boolean {
  return scopes.every((req) => podMatchesScope(pod, req));
}

type Sums = Map<string, Quantity>;

function add(sums: Sums, name: string, q: Quantity): void {
  const prior = sums.get(name);
  sums.set(name, prior ? addQuantities(prior, q) : q);
}

function podUsage(pods: readonly Pod[], scopes: readonly ScopeRequirement[]): Sums {
  const used: Sums = new Map();
  let count = 0;
  for (const pod of pods) {
    if (!podUsesQuota(pod) || !podMatchesScopes(pod, scopes)) continue;
    count++;
    for (const [name, q] of podResourceTotals(pod, 'requests', true)) {
      add(used, `requests.${name}`, q);
      // The bare `cpu` / `memory` names mean requests.
      if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage') add(used, name, q);
    }
    for (const [name, q] of podResourceTotals(pod, 'limits', true)) add(used, `limits.${name}`, q);
  }
  used.set('pods', parseQuantity(count));
  used.set('count/pods', parseQuantity(count));
  return used;
}

/**
 * What a claim's storage counts as (upstream's pvc evaluator): its request, or what was allocated to it where
 * that is more (an expansion under way), in whole bytes.
 */
function claimStorage(pvc: PersistentVolumeClaim): Quantity | undefined {
  const requested = pvc.spec?.resources?.requests?.storage;
  const allocated = pvc.status?.allocatedResources?.storage;
  let q = requested === undefined ? undefined : parseQuantity(requested);
  if (q && allocated !== undefined) {
    const a = parseQuantity(allocated);
    if (compareQuantities(a, q) > 0) q = a;
  }
  if (!q || q.nanos % 1_000_000_000n === 0n) return q;
  return quantityFromNanos(quantityValue(q) * 1_000_000_000n, q.format);
}

function claimUsage(claims: readonly PersistentVolumeClaim[]): Sums {
  const used: Sums = new Map();
  for (const pvc of claims) {
    const cls = claimClass(pvc);
    add(used, 'persistentvolumeclaims', parseQuantity(1));
    if (cls) add(used, `${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, parseQuantity(1));
    const q = claimStorage(pvc);
    if (q) {
      add(used, 'requests.storage', q);
      if (cls) add(used, `${cls}.storageclass.storage.k8s.io/requests.storage`, q);
    }
  }
  return used;
}

/**
 * Node ports a Service takes: every port of a NodePort or LoadBalancer Service, but only the ports given one
 * when a LoadBalancer does not allocate them (`allocateLoadBalancerNodePorts: false`).
 */
function nodePortsOf(svc: Service): number {
  const type = svc.spec?.type ?? 'ClusterIP';
  const ports = svc.spec?.ports ?? [];
  if (type === 'NodePort') return ports.length;
  if (type !== 'LoadBalancer') return 0;
  return svc.spec?.allocateLoadBalancerNodePorts === false
    ? ports.filter((p) => p.nodePort).length
    : ports.length;
}

function serviceUsage(services: readonly Service[]): Sums {
  const used: Sums = new Map();
  let nodePorts = 0;
  let loadBalancers = 0;
  for (const svc of services) {
    if (svc.spec?.type === 'LoadBalancer') loadBalancers++;
    nodePorts += nodePortsOf(svc);
  }
  used.set('services.nodeports', parseQuantity(nodePorts));
  used.set('services.loadbalancers', parseQuantity(loadBalancers));
  return used;
}

/**
 * status.used of a quota: for each resource named in `hard`, what the namespace's objects that fall under its
 * scopes use (zero when nothing does). Only pods have scopes: a scoped quota counts nothing else, as upstream's
 * other evaluators match no scope. Resource names this does not know are left out, as upstream ignores them.
 */
export function computeUsage(
  hard: readonly string[],
  scopes: readonly ScopeRequirement[],
  objects: NamespaceObjects,
): Record<string, string> {
  const all: Sums = podUsage(objects.pods, scopes);
  if (scopes.length === 0) {
    for (const [name, q] of [
      ...claimUsage(objects.persistentVolumeClaims),
      ...serviceUsage(objects.services),
    ]) {
      all.set(name, q);
    }
    for (const [name, n] of objects.counts) all.set(name, parseQuantity(n));
    for (const [legacy, count] of Object.entries(LEGACY_COUNT_NAMES)) {
      const n = objects.counts.get(count);
      if (n !== undefined) all.set(legacy, parseQuantity(n));
    }
  }
  const used: Record<string, string> = {};
  for (const name of hard) {
    const q = all.get(name);
    if (q) used[name] = formatQuantity(q);
    else if (isKnown(name)) used[name] = '0';
  }
  return used;
}

function isKnown(name: string): boolean {
  return (
    name.startsWith('requests.') ||
    name.startsWith('limits.') ||
    name.startsWith('count/') ||
    name === 'cpu' ||
    name === 'memory' ||
    name === 'ephemeral-storage' ||
    name === 'pods' ||
    name in LEGACY_COUNT_NAMES ||
    name === 'services.nodeports' ||
    name === 'services.loadbalancers' ||
    STORAGE_CLASS_SUFFIXES.some((s) => name.endsWith(s))
  );
}

const VALIDATED_COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/**
 * Upstream's pod evaluator Constraints: when a quota limits cpu or memory, every container must state the
 * matching request or limit. Returns upstream's "must specify …" text naming what is missing, or undefined.
 */
export function missingComputeResources(pod: Pod, hard: readonly string[]): string | undefined {
  const required = VALIDATED_COMPUTE.filter((n) => hard.includes(n));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const has = new Set<string>();
    for (const k of Object.keys(c.resources?.requests ?? {})) has.add(k).add(`requests.${k}`);
    for (const k of Object.keys(c.resources?.limits ?? {})) has.add(`limits.${k}`);
    for (const r of required) {
      if (has.has(r)) continue;
      let names = missing.get(r);
      if (!names) missing.set(r, (names = new Set()));
      names.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}
