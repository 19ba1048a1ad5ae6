import type { PersistentVolumeClaim, Pod, ResourceQuotaSpec, Service } from 'kubernetes-types/core/v1.js';
import { forbidden } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import {
  computeUsage,
  missingComputeResources,
  podMatchesScopes,
  quotaScopes,
  type ScopeRequirement,
} from '../../api/quota-usage.js';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  subtractQuantities,
} from '../../api/quantity.js';
import type { Registry } from '../registry/index.js';
import type { ResourceDef } from '../registry/types.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { NamespacePresence } from './namespace-presence.js';
import { guaranteedUpdate } from './write.js';
import { cloneJson } from '../../api/meta.js';

interface Quota extends StoredObject {
  spec?: ResourceQuotaSpec;
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

type Rollback = () => void;

/** What `obj` uses of each of `names` as far as the quota's scopes take it in. */
function usageOf(
  def: ResourceDef,
  obj: KubeObject,
  names: string[],
  scopes: ScopeRequirement[],
): Record<string, string> {
  const core = def.group === '';
  const count = `count/${def.plural}${core ? '' : `.${def.group}`}`;
  return computeUsage(names, scopes, {
    pods: core && def.plural === 'pods' ? [obj as Pod] : [],
    services: core && def.plural === 'services' ? [obj as Service] : [],
    persistentVolumeClaims:
      core && def.plural === 'persistentvolumeclaims' ? [obj as PersistentVolumeClaim] : [],
    counts: new Map(core && def.plural === 'pods' ? [] : [[count, 1]]),
  });
}

/**
 * What a write adds to each of `names` (only the amounts above zero): all of the object's usage for a create,
 * what it uses beyond the old version for an update (upstream charges the non-negative difference).
 */
function deltaOf(
  def: ResourceDef,
  obj: KubeObject,
  old: KubeObject | undefined,
  names: string[],
  scopes: ScopeRequirement[],
): Map<string, string> {
  const now = usageOf(def, obj, names, scopes);
  const before = old ? usageOf(def, old, names, scopes) : {};
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(now)) {
    const q = parseQuantity(value);
    const delta = before[name] === undefined ? q : subtractQuantities(q, parseQuantity(before[name]));
    if (delta.nanos > 0n) out.set(name, formatQuantity(delta));
  }
  return out;
}

/**
 * Whether updates of the resource are charged (upstream's evaluators that handle UPDATE): a Service may take
 * node ports or a load balancer, a claim more storage. Pods are charged on create only (their resources
 * cannot change), and plain object counts do not change on update.
 */
export function quotaChargesUpdates(def: ResourceDef): boolean {
  return def.group === '' && (def.plural === 'services' || def.plural === 'persistentvolumeclaims');
}

function pretty(values: Record<string, string> | undefined, names: string[]): string {
  return [...names]
    .sort()
    .map((n) => `${n}=${values?.[n] ?? '0'}`)
    .join(',');
}

function add(
  used: Record<string, string> | undefined,
  delta: Map<string, string>,
  sign: 1 | -1,
): Record<string, string> {
  const next = { ...used };
  for (const [name, value] of delta) {
    const base = parseQuantity(next[name] ?? '0');
    const d = parseQuantity(value);
    const sum = sign === 1 ? addQuantities(base, d) : subtractQuantities(base, d);
    next[name] = formatQuantity(sum.nanos < 0n ? parseQuantity(0) : sum);
  }
  return next;
}

/**
 * The ResourceQuota admission plugin, for creates and for the updates quotaChargesUpdates names: what the write
 * adds is charged to every quota of its namespace that tracks it and whose scopes take the object in, and a
 * write that would take any of them past spec.hard is refused with upstream's 403 "exceeded quota" message. The
 * charge is written to the quota's status.used at once (compare-and-swap), so concurrent writes cannot
 * overshoot; the returned rollback gives it back when the write does not happen.
 * The resource quota controller recomputes status.used from the objects themselves.
 */
export async function admitQuota(
  storage: ObjectStorage,
  registry: Registry,
  def: ResourceDef,
  obj: KubeObject,
  presence: NamespacePresence,
  /** The stored version, for an update. */
  old?: KubeObject,
): Promise<Rollback> {
  const namespace = obj.metadata?.namespace;
  const quotaDef = registry.get('', 'resourcequotas');
  if (!def.namespaced || !namespace || !quotaDef) return () => {};
  const quotas = (await presence.list(namespace)) as Quota[];
  if (quotas.length === 0) return () => {};
  const gr = { group: def.group, resource: def.plural };
  const name = obj.metadata?.name ?? '';
  const charges: { quota: string; delta: Map<string, string> }[] = [];
  for (const quota of quotas) {
    const hard = quota.spec?.hard ?? {};
    const scopes = quotaScopes(quota.spec);
    if (!old && def.group === '' && def.plural === 'pods' && podMatchesScopes(obj as Pod, scopes)) {
      const missing = missingComputeResources(obj as Pod, Object.keys(hard));
      if (missing) throw forbidden(gr, name, `failed quota: ${quota.metadata.name}: ${missing}`);
    }
    const delta = deltaOf(def, obj, old, Object.keys(hard), scopes);
    if (delta.size === 0) continue;
    const unknown = [...delta.keys()].filter((n) => quota.status?.hard?.[n] === undefined);
    if (unknown.length > 0) {
      throw forbidden(
        gr,
        name,
        `status unknown for quota: ${quota.metadata.name}, resources: ${unknown.sort().join(',')}`,
      );
    }
    charges.push({ quota: quota.metadata.name, delta });
  }
  const done: typeof charges = [];
  const rollback = (): void => {
    for (const c of done) void charge(storage, quotaDef, namespace, c.quota, c.delta, -1).catch(() => {});
  };
  try {
    for (const c of charges) {
      await charge(storage, quotaDef, namespace, c.quota, c.delta, 1, (quota) => {
        const exceeded = [...c.delta.keys()].filter((n) => {
          const hard = quota.spec?.hard?.[n];
          if (hard === undefined) return false;
          const after = addQuantities(
            parseQuantity(quota.status?.used?.[n] ?? '0'),
            parseQuantity(c.delta.get(n)!),
          );
          return compareQuantities(after, parseQuantity(hard)) > 0;
        });
        if (exceeded.length > 0) {
          throw forbidden(
            gr,
            name,
            `exceeded quota: ${c.quota}, requested: ${pretty(Object.fromEntries(c.delta), exceeded)}, used: ${pretty(quota.status?.used, exceeded)}, limited: ${pretty(quota.spec?.hard, exceeded)}`,
          );
        }
      });
      done.push(c);
    }
  } catch (err) {
    rollback();
    throw err;
  }
  return rollback;
}

async function charge(
  storage: ObjectStorage,
  quotaDef: ResourceDef,
  namespace: string,
  quotaName: string,
  delta: Map<string, string>,
  sign: 1 | -1,
  check?: (quota: Quota) => void,
): Promise<void> {
  await guaranteedUpdate(
    async (stored) => {
      const quota = stored as Quota;
      check?.(quota);
      const next = cloneJson(quota);
      next.status = { ...next.status, used: add(next.status?.used, delta, sign) };
      return storage.update(quotaDef, next, Number(quota.metadata.resourceVersion));
    },
    () => storage.mustGet(quotaDef, namespace, quotaName),
  );
}
