/**
 * Server-side apply and field ownership (metadata.managedFields), after upstream's fieldmanager:
 * an applier owns exactly the fields of its last applied configuration; changing a field another
 * manager owns is a conflict unless forced; fields it stops applying are removed unless someone else
 * owns them. Ordinary writes (create/update/patch) take ownership of the fields they change.
 */
import { ApiError, badRequest } from '../../api/errors.js';
import { rfc3339 as secondsRfc3339 } from '../../util/clock.js';
import {
  apiVersionOf,
  isPlainObject,
  deepEqual,
  parseApiVersion,
  type GroupVersionKind,
  type KubeObject,
  type ManagedFieldsEntry,
  cloneJson,
} from '../../api/meta.js';
import {
  compareValues,
  computeFieldSet,
  createdFieldsV1,
  decodePath,
  difference,
  encodePath,
  fieldValues,
  fromFieldsV1,
  structuralValues,
  updateValues,
  intersection,
  pathString,
  toFieldsV1,
  union,
  type FieldSet,
} from './field-set.js';
import { applyKeyOf, fieldMeta, rootTypeFor, type FieldMeta } from './patch-meta.js';

type Obj = Record<string, unknown>;

export interface ApplyOptions {
  manager: string;
  force?: boolean;
  gvk: GroupVersionKind;
  now: Date | string;
  subresource?: string;
}

export interface UpdateOptions {
  manager: string;
  operation: 'Update';
  apiVersion: string;
  now: Date | string;
  subresource?: string;
  /** Defaults to the group and kind of `updated`. */
  gvk?: GroupVersionKind;
}

export interface ManagedResult {
  /** The new object, with metadata.managedFields set. */
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** Name upstream gives the owner of everything in an object that had no managedFields before its first apply. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

interface Manager {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

/**
 * A manager read from stored managedFields. Its FieldsV1 is decoded only when its set is read, and written
 * back as it was unless the set was replaced: most writes touch one manager's fields, and decoding and
 * re-encoding every other manager's set was the larger part of recording ownership.
 */
class StoredManager implements Manager {
  private decoded: FieldSet | undefined;
  private replaced = false;

  constructor(
    public entry: ManagedFieldsEntry,
    readonly fieldsV1: unknown,
  ) {}

  get set(): FieldSet {
    return (this.decoded ??= fromFieldsV1(this.fieldsV1));
  }

  set set(next: FieldSet) {
    this.decoded = next;
    this.replaced = true;
  }

  /** The FieldsV1 as stored, while the set is unchanged. */
  get unchangedFieldsV1(): Record<string, unknown> | undefined {
    return this.replaced || !isPlainObject(this.fieldsV1) ? undefined : this.fieldsV1;
  }

  /** Whether the path is a member, without decoding the whole set. */
  has(path: readonly string[]): boolean {
    return this.decoded ? this.decoded.has(encodePath(path)) : fieldsV1Has(this.fieldsV1, path);
  }
}

/** Membership as fromFieldsV1 decides it: the node exists and is a leaf or marked with `.`. */
function fieldsV1Has(fields: unknown, path: readonly string[]): boolean {
  let node = fields;
  for (const el of path) {
    if (!isPlainObject(node)) return false;
    node = node[el];
  }
  if (!isPlainObject(node) || path.length === 0) return false;
  return '.' in node || Object.keys(node).length === 0;
}

/** Upstream's manager identity: time never counts, and appliers are one manager across API versions. */
function identity(e: ManagedFieldsEntry): string {
  return JSON.stringify([
    e.manager ?? '',
    e.operation ?? '',
    e.operation === 'Apply' ? '' : (e.apiVersion ?? ''),
    e.subresource ?? '',
  ]);
}

/** Seconds precision, as upstream's metav1.Time. The API server passes it already formatted (the common case). */
function rfc3339(now: Date | string): string {
  if (typeof now === 'string' && SECONDS_RFC3339.test(now)) return now;
  return secondsRfc3339(new Date(now).getTime());
}
const SECONDS_RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** `stored`: the managedFields are ones this server wrote; a client's are decoded and encoded again. */
function decodeManagers(obj: KubeObject | undefined, stored = false): Manager[] {
  const entries = obj?.metadata?.managedFields ?? [];
  return entries.map((entry) => {
    const { fieldsV1, ...rest } = entry;
    return stored ? new StoredManager(rest, fieldsV1) : { entry: rest, set: fromFieldsV1(fieldsV1) };
  });
}

/** Upstream order: operation (Apply first), time, manager, apiVersion, subresource. Empty sets are dropped. */
function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  const cmp = (a?: string, b?: string): number =>
    (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
  return managers
    .filter((m) => {
      const kept = m instanceof StoredManager ? m.unchangedFieldsV1 : undefined;
      return kept ? Object.keys(kept).length > 0 : m.set.size > 0;
    })
    .sort(
      (p, q) =>
        cmp(p.entry.operation, q.entry.operation) ||
        cmp(p.entry.time, q.entry.time) ||
        cmp(p.entry.manager, q.entry.manager) ||
        cmp(p.entry.apiVersion, q.entry.apiVersion) ||
        cmp(p.entry.subresource, q.entry.subresource),
    )
    .map((m) => {
      const { entry } = m;
      const kept = m instanceof StoredManager ? m.unchangedFieldsV1 : undefined;
      const out: ManagedFieldsEntry = {
        manager: entry.manager,
        operation: entry.operation,
        apiVersion: entry.apiVersion,
        time: entry.time,
        fieldsType: 'FieldsV1',
        fieldsV1: kept ?? toFieldsV1(m.set),
      };
      if (entry.subresource) out.subresource = entry.subresource;
      return out;
    });
}

function withManagedFields(obj: Obj, managedFields: ManagedFieldsEntry[]): KubeObject {
  const metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
  if (managedFields.length > 0) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  obj.metadata = metadata;
  return obj;
}

function describeManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** 409 as upstream's NewApplyConflict: one FieldManagerConflict cause per field. */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export function applyConflictError(conflicts: { manager: ManagedFieldsEntry; path: string }[]): ApiError {
  const sorted = [...conflicts].sort(
    (a, b) =>
      (a.manager.manager ?? '').localeCompare(b.manager.manager ?? '') || a.path.localeCompare(b.path),
  );
  const causes = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: c.path,
  }));
  let message: string;
  const first = sorted[0];
  if (sorted.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(first.manager)}: ${first.path}`;
  } else {
    const lines: string[] = [];
    let current = '';
    for (const c of sorted) {
      const who = describeManager(c.manager);
      if (who !== current) lines.push(`conflicts with ${who}:`);
      current = who;
      lines.push(`- ${c.path}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/** Merges an applied configuration into live: objects merge, keyed lists merge by key, sets union, the rest replaces. */
function mergeApplied(live: Obj, applied: Obj, type: string | undefined): Obj {
  for (const [name, value] of Object.entries(applied)) {
    const meta = fieldMeta(type, name);
    const current = live[name];
    if (isPlainObject(value) && isPlainObject(current)) {
      live[name] = mergeApplied(current, value, meta?.type);
    } else if (Array.isArray(value) && Array.isArray(current) && meta?.list === 'map') {
      live[name] = mergeKeyedItems(current, value, meta);
    } else if (Array.isArray(value) && Array.isArray(current) && meta?.list === 'set') {
      live[name] = [...current, ...value.filter((v) => !current.includes(v))];
    } else {
      live[name] = cloneJson(value);
    }
  }
  return live;
}

function sameKey(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Applied items merge into the live item with the same key; new ones are appended. */
function mergeKeyedItems(current: unknown[], applied: unknown[], meta: FieldMeta): unknown[] {
  const keyOf = (v: unknown): Record<string, unknown> | undefined =>
    isPlainObject(v) ? applyKeyOf(meta, v) : undefined;
  const out = current.slice();
  for (const item of applied) {
    const key = keyOf(item);
    const at = key ? out.findIndex((o) => sameKey(keyOf(o), key)) : -1;
    const existing = out[at];
    if (isPlainObject(item) && isPlainObject(existing)) out[at] = mergeApplied(existing, item, meta.type);
    else out.push(cloneJson(item));
  }
  return out;
}

/** Deletes the member at `path` (a field, a keyed item or a set value) if it exists. */
function removePath(root: Obj, path: readonly string[], rootType: string | undefined): void {
  let node: unknown = root;
  let type = rootType;
  let listMeta: FieldMeta | undefined;
  path.forEach((el, i) => {
    const last = i === path.length - 1;
    if (node === undefined) return;
    if (el.startsWith('f:') && isPlainObject(node)) {
      const name = el.slice(2);
      listMeta = fieldMeta(type, name);
      type = listMeta?.type;
      if (last) delete node[name];
      node = node[name];
    } else if (el.startsWith('k:') && Array.isArray(node) && listMeta) {
      const key = JSON.parse(el.slice(2)) as Obj;
      const meta = listMeta;
      const list: unknown[] = node;
      const at = list.findIndex((o) => isPlainObject(o) && sameKey(applyKeyOf(meta, o), key));
      if (at < 0) node = undefined;
      else if (last) list.splice(at, 1);
      else node = list[at];
    } else if (el.startsWith('v:') && Array.isArray(node)) {
      const value: unknown = JSON.parse(el.slice(2));
      const at = node.indexOf(value);
      if (last && at >= 0) node.splice(at, 1);
      node = undefined;
    } else {
      node = undefined;
    }
  });
}

function isOwnedAtOrBelow(path: string, owned: FieldSet): boolean {
  const prefix = path.slice(0, -1);
  for (const p of owned) if (p === path || p.startsWith(`${prefix},`)) return true;
  return false;
}

/**
 * Upstream's lastAppliedManager: `kubectl apply --server-side` on an object that client-side apply managed
 * takes over, without conflicts, the fields named in the last-applied-configuration annotation.
 */
function upgradeableFromClientSideApply(
  live: KubeObject | undefined,
  manager: string,
  gvk: GroupVersionKind,
): FieldSet | undefined {
  if (manager !== 'kubectl') return undefined;
  const text = live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  try {
    return computeFieldSet(JSON.parse(text), gvk);
  } catch {
    return undefined;
  }
}

/** Server-side apply of `applied` onto `live` (undefined: create). Neither argument is mutated. */
export function apply(live: KubeObject | undefined, applied: unknown, opts: ApplyOptions): ManagedResult {
  if (!isPlainObject(applied))
    throw badRequest('error decoding YAML: the applied configuration must be an object');
  const appliedMeta = applied.metadata;
  if (
    isPlainObject(appliedMeta) &&
    Array.isArray(appliedMeta.managedFields) &&
    appliedMeta.managedFields.length > 0
  ) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const { gvk, subresource } = opts;
  const setOpts = subresource ? { subresource } : {};
  const config = dropNulls(applied) as Obj;
  const appliedSet = computeFieldSet(config, gvk, setOpts);
  const now = rfc3339(opts.now);
  const me: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: apiVersionOf(gvk.group, gvk.version),
    time: now,
  };
  if (subresource) me.subresource = subresource;
  const myId = identity(me);

  const managers = decodeManagers(live);
  const liveValues = live ? fieldValues(live, gvk, setOpts) : new Map<string, string>();
  if (live && managers.length === 0 && liveValues.size > 0) {
    managers.push({
      entry: { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: me.apiVersion, time: now },
      set: new Set(liveValues.keys()),
    });
  }
  const mine = managers.find((m) => identity(m.entry) === myId);
  const others = managers.filter((m) => m !== mine);

  const merged = live ? mergeApplied(cloneJson(live), config, rootTypeFor(gvk)) : cloneJson(config);
  const { added, modified } = compareValues(liveValues, fieldValues(merged, gvk, setOpts));
  const changed = union(added, modified);
  const conflicts: { manager: ManagedFieldsEntry; path: string; encoded: string }[] = [];
  for (const m of others) {
    for (const p of intersection(m.set, changed))
      conflicts.push({ manager: m.entry, path: pathString(p), encoded: p });
  }
  const allowed = opts.force ? undefined : upgradeableFromClientSideApply(live, opts.manager, gvk);
  const blocking = opts.force ? [] : conflicts.filter((c) => !allowed?.has(c.encoded));
  if (blocking.length > 0) throw applyConflictError(blocking);
  // Forced (or allowed) conflicts move ownership to this manager.
  for (const m of others) m.set = difference(m.set, intersection(m.set, changed));

  // Fields this manager applied before but no longer does go away unless another manager owns them.
  const ownedByOthers = union(...others.map((m) => m.set));
  // Parents before children, so a removed list item is found by its key before its fields go.
  const dropped = [...difference(mine?.set ?? new Set(), appliedSet)].sort((a, b) => a.length - b.length);
  for (const p of dropped)
    // A map or list that still has applied members stays (its own entry may come from another writer's set).
    if (!isOwnedAtOrBelow(p, ownedByOthers) && !isOwnedAtOrBelow(p, appliedSet)) {
      removePath(merged, decodePath(p), rootTypeFor(gvk));
    }

  const { removed } = compareValues(
    structuralValues(live, gvk, setOpts),
    structuralValues(merged, gvk, setOpts),
  );
  for (const m of others) m.set = difference(m.set, removed);
  // As upstream, the entry's time only moves when the apply changed the object.
  if (mine?.entry.time && changed.size === 0 && removed.size === 0) me.time = mine.entry.time;
  const result = [...others, { entry: me, set: appliedSet }];
  const managedFields = encodeManagers(result);
  return { object: withManagedFields(merged, managedFields), managedFields };
}

function owns(m: Manager, paths: readonly (readonly string[])[]): boolean {
  return paths.some((p) => (m instanceof StoredManager ? m.has(p) : m.set.has(encodePath(p))));
}

/** `managedFields: [{}]` in a write strips field management from the object (upstream's reset). */
function isReset(obj: KubeObject): boolean {
  const mf = obj.metadata?.managedFields;
  return Array.isArray(mf) && mf.length === 1 && isPlainObject(mf[0]) && Object.keys(mf[0]).length === 0;
}

/**
 * Records ownership for an ordinary write (create when `old` is undefined). Neither argument is mutated.
 * As upstream, managedFields sent with the write replace the stored ones when non-empty (this is how
 * kubectl migrates client-side-apply ownership), an empty list keeps the stored ones, `[{}]` strips them.
 */
export function updateManagedFields(
  old: KubeObject | undefined,
  updated: KubeObject,
  opts: UpdateOptions,
): ManagedResult {
  const managedFields = managedFieldsAfterUpdate(old, updated, opts);
  return { object: withManagedFields(cloneJson(updated), managedFields), managedFields };
}

/** The managedFields an ordinary write leaves, without copying the object (the API server's hot path). */
export function managedFieldsAfterUpdate(
  old: KubeObject | undefined,
  updated: KubeObject,
  opts: UpdateOptions,
): ManagedFieldsEntry[] {
  const gvk = opts.gvk ?? {
    ...parseApiVersion(updated.apiVersion ?? opts.apiVersion),
    kind: updated.kind ?? '',
  };
  const setOpts = opts.subresource ? { subresource: opts.subresource } : {};
  if (isReset(updated)) return [];
  const sent = updated.metadata?.managedFields;
  // Most writes send back the managedFields they read (a patch is applied to the stored object): those are
  // the stored ones, already canonical.
  const fromClient = Array.isArray(sent) && sent.length > 0 && !deepEqual(sent, old?.metadata?.managedFields);
  if (!old && !fromClient) {
    // A create without managedFields of its own: the writer owns every field it set.
    const fieldsV1 = createdFieldsV1(updated, gvk, setOpts);
    if (Object.keys(fieldsV1).length === 0) return [];
    // The members in encodeManagers' order.
    const entry: ManagedFieldsEntry = {
      manager: opts.manager,
      operation: 'Update',
      apiVersion: opts.apiVersion,
      time: rfc3339(opts.now),
      fieldsType: 'FieldsV1',
      fieldsV1,
    };
    if (opts.subresource) entry.subresource = opts.subresource;
    return [entry];
  }
  const me: ManagedFieldsEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion };
  if (opts.subresource) me.subresource = opts.subresource;
  const myId = identity(me);
  const managers = decodeManagers(fromClient ? updated : old, !fromClient);
  const { before, after } = updateValues(old, updated, gvk, setOpts);
  const { added, modified, removed } = compareValues(before, after);
  const changed = union(added, modified);
  let mine = managers.find((m) => identity(m.entry) === myId);
  // Paths are decoded only when there is a manager to check them against (never on create).
  let paths: { changed: (readonly string[])[]; removed: (readonly string[])[] } | undefined;
  const decoded = (): { changed: (readonly string[])[]; removed: (readonly string[])[] } =>
    (paths ??= { changed: [...changed].map(decodePath), removed: [...removed].map(decodePath) });
  if (changed.size > 0 || removed.size > 0) {
    for (const m of managers) {
      if (m === mine || (!owns(m, decoded().changed) && !owns(m, decoded().removed))) continue;
      m.set = difference(difference(m.set, changed), removed);
    }
  }
  if (!mine) {
    mine = { entry: me, set: new Set() };
    managers.push(mine);
  }
  if (changed.size > 0 || removed.size > 0 || !mine.entry.time) {
    mine.entry = { ...me, time: rfc3339(opts.now) };
  }
  // A writer that already owns everything it changed and nothing it removed keeps its set as it is.
  const owner = mine;
  const unchanged =
    owner instanceof StoredManager &&
    decoded().changed.every((p) => owner.has(p)) &&
    !owns(owner, decoded().removed);
  if (!unchanged) mine.set = difference(union(mine.set, changed), removed);
  return encodeManagers(managers);
}
