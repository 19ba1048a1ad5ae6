import type { Container, LimitRange, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { aggregateMessage, forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { podResourceTotals } from '../../api/pods.js';
import {
  formatQuantity,
  parseQuantity,
  quantityMilliValue,
  quantityValue,
  type Quantity,
} from '../../api/quantity.js';
import type { ResourceDef } from '../registry/types.js';
import type { NamespacePresence } from './namespace-presence.js';

/** The annotation upstream's plugin leaves on a pod whose containers it gave defaults. */
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** Go's resource.MaxMilliValue: the largest value whose milli-value fits an int64. */
const MAX_MILLI_VALUE = 9_223_372_036_854_775n;

type ResourceList = Record<string, string>;
type Totals = ReadonlyMap<string, Quantity>;

/**
 * Upstream's LimitRanger admission plugin: the LimitRanges of a pod's namespace give its containers default
 * requests and limits when it is created (`default`, `defaultRequest` of the `Container` item), and then bound
 * what containers and the whole pod ask for (`min`, `max`, `maxLimitRequestRatio`); a claim's storage request
 * is bounded by the `PersistentVolumeClaim` item on create and update. A pod outside the bounds is refused
 * with upstream's 403 and every reason.
 */
export class LimitRanger {
  constructor(private readonly limitRanges: NamespacePresence) {}

  /** The mutating half, for a pod being created: defaults for what its containers leave unset. */
  async defaultPod(pod: KubeObject): Promise<void> {
    const ranges = await this.rangesOf(pod);
    for (const range of ranges) applyContainerDefaults(range, pod as Pod);
  }

  /**
   * The validating half: pods on create (their containers cannot change after), claims on create and on
   * updates of the claim itself while it is not being deleted.
   */
  async validate(def: ResourceDef, obj: KubeObject, old?: KubeObject): Promise<void> {
    if (def.group !== '') return;
    const check =
      def.plural === 'pods' && !old
        ? (r: LimitRange) => podViolations(r, obj as Pod)
        : def.plural === 'persistentvolumeclaims' && !old?.metadata?.deletionTimestamp
          ? (r: LimitRange) => claimViolations(r, obj as PersistentVolumeClaim)
          : undefined;
    if (!check) return;
    const violations = (await this.rangesOf(obj)).flatMap(check);
    if (violations.length === 0) return;
    const name = obj.metadata?.name || obj.metadata?.generateName || 'Unknown';
    throw forbidden({ group: '', resource: def.plural }, name, aggregateMessage(violations));
  }

  private async rangesOf(obj: KubeObject): Promise<LimitRange[]> {
    const namespace = obj.metadata?.namespace;
    return namespace ? ((await this.limitRanges.list(namespace)) as LimitRange[]) : [];
  }
}

/**
 * Sets the `Container` item's defaultRequest and default on every container (init containers too) for the
 * resources it names none of, and records what was set in the pod's `kubernetes.io/limit-ranger` annotation.
 */
export function applyContainerDefaults(range: LimitRange, pod: Pod): void {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const item of range.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest);
    Object.assign(limits, item.default);
  }
  const notes: string[] = [];
  const merge = (containers: Container[], kind: string): void => {
    for (const c of containers) {
      const resources = (c.resources ??= {});
      const fill = (from: ResourceList, key: 'requests' | 'limits'): string[] => {
        const set = Object.keys(from).filter((name) => resources[key]?.[name] === undefined);
        if (set.length > 0) resources[key] = { ...resources[key], ...pick(from, set) };
        return set.sort();
      };
      const setRequests = fill(requests, 'requests');
      const setLimits = fill(limits, 'limits');
      if (setRequests.length > 0) notes.push(`${setRequests.join(', ')} request for ${kind} ${c.name}`);
      if (setLimits.length > 0) notes.push(`${setLimits.join(', ')} limit for ${kind} ${c.name}`);
    }
  };
  merge(pod.spec?.containers ?? [], 'container');
  merge(pod.spec?.initContainers ?? [], 'init container');
  if (notes.length === 0) return;
  const meta = (pod.metadata ??= {});
  meta.annotations = {
    ...meta.annotations,
    [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
  };
}

function pick(from: ResourceList, names: string[]): ResourceList {
  return Object.fromEntries(names.map((n) => [n, from[n]!]));
}

/** Why a pod breaks the range's `Container` and `Pod` bounds (nothing when it keeps them). */
export function podViolations(range: LimitRange, pod: Pod): string[] {
  const out: string[] = [];
  for (const item of range.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        out.push(
          ...boundViolations('Container', item, parsed(c.resources?.requests), parsed(c.resources?.limits)),
        );
      }
    } else if (item.type === 'Pod') {
      out.push(
        ...boundViolations('Pod', item, podResourceTotals(pod, 'requests'), podResourceTotals(pod, 'limits')),
      );
    }
  }
  return out;
}

/** Why a claim's storage request breaks the range's `PersistentVolumeClaim` bounds. */
export function claimViolations(range: LimitRange, claim: PersistentVolumeClaim): string[] {
  const out: string[] = [];
  const requests = parsed(claim.spec?.resources?.requests);
  for (const item of range.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [name, min] of sortedEntries(item.min)) {
      // A claim's limits are not what its user asks for: only the request is held to the minimum.
      const err = minViolation('PersistentVolumeClaim', name, min, requests, new Map());
      if (err) out.push(err);
    }
    for (const [name, max] of sortedEntries(item.max)) {
      const err = maxRequestViolation('PersistentVolumeClaim', name, max, requests);
      if (err) out.push(err);
    }
  }
  return out;
}

type LimitItem = NonNullable<NonNullable<LimitRange['spec']>['limits']>[number];

function boundViolations(type: string, item: LimitItem, requests: Totals, limits: Totals): string[] {
  const out: (string | undefined)[] = [];
  for (const [name, min] of sortedEntries(item.min))
    out.push(minViolation(type, name, min, requests, limits));
  for (const [name, max] of sortedEntries(item.max))
    out.push(maxViolation(type, name, max, requests, limits));
  for (const [name, ratio] of sortedEntries(item.maxLimitRequestRatio)) {
    out.push(ratioViolation(type, name, ratio, requests, limits));
  }
  return out.filter((m): m is string => m !== undefined);
}

function minViolation(
  type: string,
  name: string,
  min: Quantity,
  requests: Totals,
  limits: Totals,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req, lim, min);
  const enforced = formatQuantity(min);
  if (!req) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${formatQuantity(req)}`;
  if (lim && l < e)
    return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxViolation(
  type: string,
  name: string,
  max: Quantity,
  requests: Totals,
  limits: Totals,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req, lim, max);
  const enforced = formatQuantity(max);
  if (!lim) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${formatQuantity(lim)}`;
  if (req && r > e)
    return `maximum ${name} usage per ${type} is ${enforced}, but request is ${formatQuantity(req)}`;
  return undefined;
}

/** The max for kinds whose limits are not the user's (claims): the request alone is held to it. */
function maxRequestViolation(
  type: string,
  name: string,
  max: Quantity,
  requests: Totals,
): string | undefined {
  const req = requests.get(name);
  const [r, , e] = comparable(req, undefined, max);
  const enforced = formatQuantity(max);
  if (!req) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioViolation(
  type: string,
  name: string,
  ratio: Quantity,
  requests: Totals,
  limits: Totals,
): string | undefined {
  const [r, l] = comparable(requests.get(name), limits.get(name), ratio);
  const enforced = formatQuantity(ratio);
  const prefix = `${name} max limit to request ratio per ${type} is ${enforced}`;
  if (r === 0n) return `${prefix}, but no request is specified or request is 0`;
  if (l === 0n) return `${prefix}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  // Upstream compares in thousandths where the bound allows it, so a ratio of 1.5 can be enforced.
  const precise = quantityValue(ratio) <= MAX_MILLI_VALUE;
  const bound = precise ? Number(quantityMilliValue(ratio)) : Number(quantityValue(ratio));
  if ((precise ? observed * 1000 : observed) > bound)
    return `${prefix}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

/**
 * Request, limit and bound at one precision, as upstream's requestLimitEnforcedValues: thousandths when none
 * of them would overflow an int64 so, whole units otherwise (both rounded up). A missing value is zero.
 */
function comparable(
  req: Quantity | undefined,
  lim: Quantity | undefined,
  enforced: Quantity,
): [bigint, bigint, bigint] {
  const values = [req, lim, enforced].map((q) => (q ? quantityValue(q) : 0n));
  if (values.every((v) => v <= MAX_MILLI_VALUE)) {
    return [req, lim, enforced].map((q) => (q ? quantityMilliValue(q) : 0n)) as [bigint, bigint, bigint];
  }
  return values as [bigint, bigint, bigint];
}

function parsed(list: ResourceList | undefined): Map<string, Quantity> {
  return new Map(Object.entries(list ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
}

function sortedEntries(list: ResourceList | undefined): [string, Quantity][] {
  return Object.keys(list ?? {})
    .sort()
    .map((k) => [k, parseQuantity(list![k]!)]);
}
