import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import { podResourceTotals } from './pods.js';
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from './quantity.js';

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

function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.every(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length === 0 &&
      Object.keys(c.resources?.limits ?? {}).length === 0,
  );
}

/** Whether a pod falls under every one of the quota's scopes (the ones pods support). */
export function podMatchesScopes(pod: Pod, scopes: readonly string[]): boolean {
  return scopes.every((scope) => {
    switch (scope) {
      case 'Terminating':
        return pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds !== null;
      case 'NotTerminating':
        return pod.spec?.activeDeadlineSeconds === undefined || pod.spec.activeDeadlineSeconds === null;
      case 'BestEffort':
        return isBestEffort(pod);
      case 'NotBestEffort':
        return !isBestEffort(pod);
      default:
        return true;
    }
  });
}

type Sums = Map<string, Quantity>;

function add(sums: Sums, name: string, q: Quantity): void {
  const prior = sums.get(name);
  sums.set(name, prior ? addQuantities(prior, q) : q);
}

function podUsage(pods: readonly Pod[], scopes: readonly string[]): Sums {
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

function claimUsage(claims: readonly PersistentVolumeClaim[]): Sums {
  const used: Sums = new Map();
  for (const pvc of claims) {
    const cls = pvc.spec?.storageClassName ?? '';
    const storage = pvc.spec?.resources?.requests?.storage;
    add(used, 'persistentvolumeclaims', parseQuantity(1));
    if (cls) add(used, `${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, parseQuantity(1));
    if (storage !== undefined) {
      const q = parseQuantity(storage);
      add(used, 'requests.storage', q);
      if (cls) add(used, `${cls}.storageclass.storage.k8s.io/requests.storage`, q);
    }
  }
  return used;
}

function serviceUsage(services: readonly Service[]): Sums {
  const used: Sums = new Map();
  let nodePorts = 0;
  let loadBalancers = 0;
  for (const svc of services) {
    const type = svc.spec?.type ?? 'ClusterIP';
    if (type === 'LoadBalancer') loadBalancers++;
    if (type === 'NodePort' || type === 'LoadBalancer') nodePorts += svc.spec?.ports?.length ?? 0;
  }
  used.set('services.nodeports', parseQuantity(nodePorts));
  used.set('services.loadbalancers', parseQuantity(loadBalancers));
  return used;
}

/**
 * status.used of a quota: for each resource named in `hard`, what the namespace's objects use (zero when
 * nothing does). Resource names this does not know are left out, as upstream ignores them.
 */
export function computeUsage(
  hard: readonly string[],
  scopes: readonly string[],
  objects: NamespaceObjects,
): Record<string, string> {
  const all: Sums = new Map([
    ...podUsage(objects.pods, scopes),
    ...claimUsage(objects.persistentVolumeClaims),
    ...serviceUsage(objects.services),
  ]);
  for (const [name, n] of objects.counts) all.set(name, parseQuantity(n));
  for (const [legacy, count] of Object.entries(LEGACY_COUNT_NAMES)) {
    const n = objects.counts.get(count);
    if (n !== undefined) all.set(legacy, parseQuantity(n));
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
