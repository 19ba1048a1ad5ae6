/**
 * Field sets for server-side apply, in the FieldsV1 vocabulary: `f:<field>`, `k:<json key>` for items of
 * keyed lists, `v:<json value>` for items of primitive sets, `.` for a node that is itself a member.
 * A set is held flat: each member is a path (array of elements) encoded as a JSON string.
 */
import { isPlainObject, type GroupVersionKind } from '../../api/meta.js';
import { applyKeyOf, fieldMeta, rootTypeFor, type FieldMeta } from './patch-meta.js';

export type FieldSet = Set<string>;
type Obj = Record<string, unknown>;

export const encodePath = (path: readonly string[]): string => JSON.stringify(path);
/** Decoded paths by encoding: the same paths (a pod's status fields, say) come back write after write. */
const decodedPaths = new Map<string, readonly string[]>();
const DECODED_PATHS_LIMIT = 10_000;

/** The path an encoding stands for. Shared between callers: never change it. */
export function decodePath(encoded: string): readonly string[] {
  let path = decodedPaths.get(encoded);
  if (path === undefined) {
    path = JSON.parse(encoded) as string[];
    if (decodedPaths.size >= DECODED_PATHS_LIMIT) decodedPaths.clear();
    decodedPaths.set(encoded, path);
  }
  return path;
}

/** Paths the server owns itself; never recorded for any manager (upstream's stripped metadata). */
const STRIPPED = new Set(
  [
    ['f:apiVersion'],
    ['f:kind'],
    ['f:metadata'],
    ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'resourceVersion'].map(
      (f) => ['f:metadata', `f:${f}`],
    ),
  ].map(encodePath),
);

const STRIPPED_PATHS = [...STRIPPED].map(decodePath);

export interface FieldSetOptions {
  /** `status`: only `.status` counts; otherwise `.status` is left out (it belongs to the status subresource). */
  subresource?: string;
}

/** Value recorded for maps and lists that hold members; never equal to a leaf's rendering. */
const STRUCTURAL = '\u0000';

interface Walk {
  values: Map<string, string>;
  /** Record maps and lists that hold members too (upstream's Compare reports them when added). */
  structural: boolean;
  /** Values of the previous object, to tell which zero-value fields it implicitly had. */
  old?: Map<string, string>;
  /** Fields absent from the previous object that its typed zero value would have had. */
  implicit: Set<string>;
}

function walk(
  obj: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  w: Walk,
  opts: FieldSetOptions,
): Walk {
  if (!isPlainObject(obj)) return w;
  walkObject(relevantPart(obj, opts), rootTypeFor(gvk), '[]', w, true);
  // relevantPart left out what the write cannot own (status or everything else, managedFields): only the
  // server-owned metadata remains to drop.
  for (const key of STRIPPED) {
    w.values.delete(key);
    w.implicit.delete(key);
  }
  return w;
}

/** Each member path of `obj` mapped to a comparable rendering of its value (`''` for list items). */
export function fieldValues(
  obj: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): Map<string, string> {
  return walk(obj, gvk, { values: new Map(), structural: false, implicit: new Set() }, opts).values;
}

/** Like fieldValues, plus maps and lists that hold members. */
export function structuralValues(
  obj: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): Map<string, string> {
  return walk(obj, gvk, { values: new Map(), structural: true, implicit: new Set() }, opts).values;
}

/**
 * Values to compare for an ordinary write, as upstream compares typed objects: a map or list that
 * appears is itself a change (so its writer owns it, `.` in FieldsV1), unless the previous object's
 * typed zero value already had it (e.g. `spec`, `spec.template`, `spec.template.spec.containers`).
 * Only entries that can differ are there: compare the two maps (compareValues), do not read them as sets.
 */
export function updateValues(
  old: unknown,
  updated: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): { before: Map<string, string>; after: Map<string, string> } {
  // Members equal in both objects add the same entries to both maps, so they cannot differ: leave them out
  // (most writes change a few fields of a large object). What the write cannot own (managedFields, and status
  // or everything but status) is left out first, so it is not compared either.
  const [oldPart, updatedPart] = withoutCommonMembers(relevantOf(old, opts), relevantOf(updated, opts));
  return allValuesToCompare(oldPart, updatedPart, gvk, opts);
}

/** updateValues over the whole objects (the definition; updateValues leaves out what both share). */
export function allValuesToCompare(
  old: unknown,
  updated: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): { before: Map<string, string>; after: Map<string, string> } {
  const before = structuralValues(old, gvk, opts);
  const w = walk(
    updated,
    gvk,
    { values: new Map(), structural: true, old: before, implicit: new Set() },
    opts,
  );
  for (const key of w.implicit) before.set(key, STRUCTURAL);
  return { before, after: w.values };
}

/** Stands for a member whose value both objects share: its parent keeps it (and so stays non-empty), walks skip it. */
const COMMON = Symbol('common member');

/**
 * Copies of two objects in which every member present in both with identical values is COMMON. Only maps
 * along differing paths are copied; lists are compared whole.
 */
function withoutCommonMembers(old: unknown, updated: unknown): [unknown, unknown] {
  if (!isPlainObject(old) || !isPlainObject(updated)) return [old, updated];
  const o: Obj = {};
  const u: Obj = {};
  for (const key in updated) {
    const value = updated[key];
    if (!Object.hasOwn(old, key)) {
      u[key] = value;
      continue;
    }
    if (identical(old[key], value)) {
      o[key] = u[key] = COMMON;
      continue;
    }
    [o[key], u[key]] = withoutCommonMembers(old[key], value);
  }
  for (const key in old) if (!Object.hasOwn(updated, key)) o[key] = old[key];
  return [o, u];
}

/** Same JSON value, telling a null or undefined member apart from a missing one (walks treat them differently). */
function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Obj;
  const y = b as Obj;
  let members = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !identical(x[k], y[k])) return false;
    members++;
  }
  for (const _ in y) members--;
  return members === 0;
}

/** The set of fields `obj` sets, as upstream's ToFieldSet, minus server-owned metadata. */
export function computeFieldSet(
  obj: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): FieldSet {
  return new Set(fieldValues(obj, gvk, opts).keys());
}

const relevantOf = (obj: unknown, opts: FieldSetOptions): unknown =>
  isPlainObject(obj) ? relevantPart(obj, opts) : obj;

/** The top-level fields that can count for this write, so the walk skips the rest (status, managedFields). */
function relevantPart(obj: Obj, opts: FieldSetOptions): Obj {
  if (opts.subresource === 'status') return obj.status === undefined ? {} : { status: obj.status };
  const meta = obj.metadata;
  const { status: _status, ...rest } = obj;
  if (isPlainObject(meta) && meta.managedFields !== undefined) {
    const { managedFields: _managed, ...metadata } = meta;
    rest.metadata = metadata;
  }
  return rest;
}

/** Appends one element to an encoded path: the same string encodePath gives for the longer array. */
function child(encoded: string, element: string): string {
  return encoded === '[]'
    ? `[${JSON.stringify(element)}]`
    : `${encoded.slice(0, -1)},${JSON.stringify(element)}]`;
}

/** Records a map or list holding members; returns whether the previous object had it. */
function structure(w: Walk, encoded: string, meta: FieldMeta | undefined, parentInOld: boolean): boolean {
  if (w.structural) w.values.set(encoded, STRUCTURAL);
  if (!w.old) return false;
  if (w.old.has(encoded)) return true;
  const implicit = meta?.zero === true && parentInOld;
  if (implicit) w.implicit.add(encoded);
  return implicit;
}

function walkObject(obj: Obj, type: string | undefined, path: string, w: Walk, parentInOld: boolean): void {
  for (const name in obj) {
    const value = obj[name];
    if (value === null || value === undefined || value === COMMON) continue;
    const encoded = child(path, `f:${name}`);
    const meta = fieldMeta(type, name);
    if (isPlainObject(value) && !meta?.atomic && hasMembers(value)) {
      const inOld = structure(w, encoded, meta, parentInOld);
      walkObject(value, meta?.type, encoded, w, inOld);
    } else if (Array.isArray(value) && value.length > 0 && meta?.list === 'map' && meta.key) {
      structure(w, encoded, meta, parentInOld);
      for (const item of value) {
        const key = isPlainObject(item) ? applyKeyOf(meta, item) : undefined;
        if (!key || !isPlainObject(item)) continue;
        const itemEncoded = child(encoded, `k:${JSON.stringify(key)}`);
        w.values.set(itemEncoded, '');
        walkObject(item, meta.type, itemEncoded, w, w.old?.has(itemEncoded) ?? false);
      }
    } else if (Array.isArray(value) && value.length > 0 && meta?.list === 'set') {
      structure(w, encoded, meta, parentInOld);
      for (const item of value) w.values.set(child(encoded, `v:${JSON.stringify(item)}`), '');
    } else {
      w.values.set(encoded, canonicalJson(value));
    }
  }
}

function hasMembers(obj: Obj): boolean {
  for (const _ in obj) return true;
  return false;
}

/** A node of a FieldsV1 tree under construction. */
interface TrieNode {
  member: boolean;
  children: Map<string, TrieNode>;
}

const emptyTrie = (): TrieNode => ({ member: false, children: new Map() });

const trieChild = (node: TrieNode, element: string, member: boolean): TrieNode => {
  let next = node.children.get(element);
  if (!next) node.children.set(element, (next = { member, children: new Map() }));
  else next.member ||= member;
  return next;
};

/**
 * FieldsV1 of the fields a create sets: what an update from nothing to `obj` changes (allValuesToCompare with
 * no previous object, minus the typed zero value's implicit maps and lists), built as a tree in one walk.
 * The general path encodes every path as a string and every leaf's value, then decodes the paths again to
 * render them; a create needs neither.
 */
export function createdFieldsV1(
  obj: unknown,
  gvk: Pick<GroupVersionKind, 'group' | 'kind'>,
  opts: FieldSetOptions = {},
): Record<string, unknown> {
  if (!isPlainObject(obj)) return {};
  const root = emptyTrie();
  buildCreated(relevantPart(obj, opts), rootTypeFor(gvk), root, true);
  for (const path of STRIPPED_PATHS) {
    let node: TrieNode | undefined = root;
    for (const el of path) node = node?.children.get(el);
    if (node) node.member = false;
  }
  return renderTrie(root) ?? {};
}

/** walkObject for a create: `implicitParent` as its parentInOld (the previous object is the typed zero value). */
function buildCreated(obj: Obj, type: string | undefined, node: TrieNode, implicitParent: boolean): void {
  for (const name in obj) {
    const value = obj[name];
    if (value === null || value === undefined) continue;
    const element = `f:${name}`;
    const meta = fieldMeta(type, name);
    const implicit = meta?.zero === true && implicitParent;
    if (isPlainObject(value) && !meta?.atomic && hasMembers(value)) {
      buildCreated(value, meta?.type, trieChild(node, element, !implicit), implicit);
    } else if (Array.isArray(value) && value.length > 0 && meta?.list === 'map' && meta.key) {
      const list = trieChild(node, element, !implicit);
      for (const item of value) {
        const key = isPlainObject(item) ? applyKeyOf(meta, item) : undefined;
        if (!key || !isPlainObject(item)) continue;
        buildCreated(item, meta.type, trieChild(list, `k:${JSON.stringify(key)}`, true), false);
      }
    } else if (Array.isArray(value) && value.length > 0 && meta?.list === 'set') {
      const list = trieChild(node, element, !implicit);
      for (const item of value) trieChild(list, `v:${JSON.stringify(item)}`, true);
    } else {
      trieChild(node, element, true);
    }
  }
}

/** FieldsV1 of a tree: `.` marks a member that has members below it; a node with no member at or below it is left out. */
function renderTrie(node: TrieNode): Obj | undefined {
  const out: Obj = {};
  let children = 0;
  for (const k of [...node.children.keys()].sort()) {
    const rendered = renderTrie(node.children.get(k)!);
    if (rendered === undefined) continue;
    if (children++ === 0 && node.member) out['.'] = {};
    out[k] = rendered;
  }
  return children === 0 && !node.member ? undefined : out;
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** FieldsV1 JSON (`{"f:spec":{"f:replicas":{}}}`) for a set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root = emptyTrie();
  for (const encoded of set) {
    const path = decodePath(encoded);
    let node = root;
    for (let i = 0; i < path.length; i++) node = trieChild(node, path[i]!, i === path.length - 1);
  }
  return renderTrie(root) ?? {};
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const set: FieldSet = new Set();
  const visit = (node: unknown, path: string[]): void => {
    if (!isPlainObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (path.length > 0 && (children.length === 0 || '.' in node)) set.add(encodePath(path));
    for (const k of children) visit(node[k], [...path, k]);
  };
  visit(fields, []);
  return set;
}

/** Upstream's path rendering in conflict messages: `.spec.containers[name="nginx"].image`. */
export function pathString(encoded: string): string {
  return decodePath(encoded)
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(el.slice(2)) as Obj;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      return `[${el}]`;
    })
    .join('');
}

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

export function compareValues(before: Map<string, string>, after: Map<string, string>): Comparison {
  const added: FieldSet = new Set();
  const removed: FieldSet = new Set();
  const modified: FieldSet = new Set();
  for (const [k, v] of after) {
    const old = before.get(k);
    if (old === undefined) added.add(k);
    else if (old !== v) modified.add(k);
  }
  for (const k of before.keys()) if (!after.has(k)) removed.add(k);
  return { added, removed, modified };
}

export function union(...sets: FieldSet[]): FieldSet {
  const out: FieldSet = new Set();
  for (const s of sets) for (const v of s) out.add(v);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((v) => !b.has(v)));
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((v) => b.has(v)));
}
