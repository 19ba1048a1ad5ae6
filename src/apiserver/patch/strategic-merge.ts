/**
 * Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch semantics) on plain JSON.
 * Lists declared in patch-meta merge by key (or as sets of primitives); other lists are replaced.
 * Directives: `$patch: replace|delete` (`merge` is refused, as upstream), `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`,
 * `$retainKeys`; `null` deletes a key. Directives never reach the result.
 */
import { badRequest } from '../../api/errors.js';
import { isPlainObject, cloneJson } from '../../api/meta.js';
import { goValue } from './go-format.js';
import { fieldMeta, type FieldMeta } from './patch-meta.js';

type Obj = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_SET_ORDER = 'invalid patch format of setElementOrder list';

/** Apply `patch` to `original`; neither argument is mutated. `rootType` is a struct name from patch-meta. */
export function strategicMerge(original: Obj, patch: Obj, rootType: string | undefined): Obj {
  return mergeMap(cloneJson(original), cloneJson(patch), rootType);
}

function noMergeKey(item: Obj, key: string): Error {
  return badRequest(`map: ${goValue(item)} does not contain declared merge key: ${key}`);
}

function badPatchType(directive: unknown, item: Obj): Error {
  return badRequest(`unknown patch type: ${goValue(directive)} in map: ${goValue(item)}`);
}

/** Merges `patch` into `orig` (both owned by the caller, mutated) and returns the result. */
function mergeMap(orig: Obj, patch: Obj, type: string | undefined): Obj {
  if (PATCH in patch) {
    const directive = patch[PATCH];
    delete patch[PATCH];
    if (directive === 'replace') return mergeMap({}, patch, type);
    if (directive === 'delete') return {};
    // Upstream refuses `merge` (and anything else) as a map directive.
    throw badPatchType(directive, { ...patch, [PATCH]: directive });
  }
  applyRetainKeys(orig, patch);
  applySetElementOrder(orig, patch, type);

  for (const key of Object.keys(patch)) {
    if (!key.startsWith(DELETE_PRIMITIVE)) continue;
    const toDelete = patch[key];
    delete patch[key];
    const field = key.slice(DELETE_PRIMITIVE.length);
    if (!field || !Array.isArray(toDelete)) throw badRequest(BAD_PRIMITIVE_LIST);
    const current = orig[field];
    if (Array.isArray(current)) orig[field] = current.filter((v) => !toDelete.some((d) => d === v));
  }

  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete orig[key];
      continue;
    }
    const meta = fieldMeta(type, key);
    const current = orig[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      orig[key] = mergeMap(current, value, meta?.type);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      orig[key] = mergeList(current, value, meta);
    } else {
      orig[key] = fresh(value, meta);
    }
  }
  return orig;
}

/** A patch value for a field the original lacks (or holds with another type): merged into emptiness. */
function fresh(value: unknown, meta: FieldMeta | undefined): unknown {
  if (isPlainObject(value)) return mergeMap({}, value, meta?.type);
  if (Array.isArray(value)) return mergeList([], value, meta);
  return value;
}

function applyRetainKeys(orig: Obj, patch: Obj): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(BAD_RETAIN_KEYS);
  const keep = new Set<unknown>(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_PRIMITIVE) || key.startsWith(SET_ORDER)) continue;
    if (!keep.has(key)) throw badRequest(BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(orig)) if (!keep.has(key)) delete orig[key];
}

function mergeList(orig: unknown[], patch: unknown[], meta: FieldMeta | undefined): unknown[] {
  if (meta?.list === 'map' && meta.key) return mergeKeyedList(orig, patch, meta.key, meta.type);
  if (meta?.list === 'set') return mergePrimitiveSet(orig, patch);
  // Atomic: the patch list replaces; bare directive elements (`{"$patch":"replace"}`) are dropped.
  return patch
    .filter((el) => !(isPlainObject(el) && PATCH in el && Object.keys(el).length === 1))
    .map((el) => (isPlainObject(el) ? mergeMap({}, el, meta?.type) : el));
}

function requireObjects(list: unknown[]): Obj[] {
  for (const el of list) {
    if (!isPlainObject(el)) throw badRequest(`list element types are not identical: ${goValue(list)}`);
  }
  return list as Obj[];
}

function mergeKeyedList(orig: unknown[], patch: unknown[], key: string, type: string | undefined): unknown[] {
  if (orig.length === 0 && patch.length === 0) return orig;
  let base = requireObjects(orig);
  const items: Obj[] = [];
  let replace = false;
  for (const el of requireObjects(patch)) {
    if (!(PATCH in el)) {
      items.push(el);
      continue;
    }
    const directive = el[PATCH];
    if (directive === 'delete') {
      if (!(key in el)) throw noMergeKey(el, key);
      base = base.filter((o) => o[key] !== el[key]);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, el);
    }
  }
  if (replace) return items.map((el) => mergeMap({}, el, type));

  const merged: Obj[] = base.slice();
  for (const el of items) {
    if (!(key in el)) throw noMergeKey(el, key);
    const at = merged.findIndex((o) => o[key] === el[key]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as Obj, el, type);
    else merged.push(mergeMap({}, el, type));
  }
  const [inPatch, serverOnly] = partition(merged, items, key);
  return normalizeOrder(inPatch, serverOnly, items, base, key);
}

function mergePrimitiveSet(orig: unknown[], patch: unknown[]): unknown[] {
  const merged: unknown[] = [];
  for (const v of [...orig, ...patch]) if (!merged.some((m) => m === v)) merged.push(v);
  const [inPatch, serverOnly] = partition(merged, patch, undefined);
  return normalizeOrder(inPatch, serverOnly, patch, orig, undefined);
}

/** Same element: equal merge-key values for maps, equal values for primitives. */
function same(a: unknown, b: unknown, key: string | undefined): boolean {
  if (key === undefined) {
    return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
  }
  return isPlainObject(a) && isPlainObject(b) && key in a && a[key] === b[key];
}

function indexIn(list: unknown[], item: unknown, key: string | undefined): number {
  return list.findIndex((x) => same(x, item, key));
}

function partition(list: unknown[], by: unknown[], key: string | undefined): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) (indexIn(by, v, key) >= 0 ? inBy : rest).push(v);
  return [inBy, rest];
}

/** Stable sort of `items` by their position in `order`; items absent from `order` go last. */
function sortByOrder(items: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const pos = (v: unknown): number => {
    const i = indexIn(order, v, key);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((v, i) => ({ v, i, p: pos(v) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((e) => e.v);
}

/**
 * Upstream ordering: patch items follow the patch (or $setElementOrder) order, server-only items keep
 * their live order, and each server-only item is placed before the first patch item that follows it
 * in the live list. Items new to the list therefore come before server-only items that follow them.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  key: string | undefined,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, key);
  const left = sortByOrder(serverOnly, serverOrder, key);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) {
      out.push(left[i++]);
    } else if (i >= left.length) {
      out.push(right[j++]);
    } else {
      const li = indexIn(serverOrder, left[i], key);
      const ri = indexIn(serverOrder, right[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function applySetElementOrder(orig: Obj, patch: Obj, type: string | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    const field = directiveKey.slice(SET_ORDER.length);
    if (!field || !Array.isArray(order)) throw badRequest(BAD_SET_ORDER);
    const meta = fieldMeta(type, field);
    const key = meta?.list === 'map' ? meta.key : undefined;
    const patchList = patch[field];
    if (patchList !== undefined && !Array.isArray(patchList)) throw badRequest(BAD_SET_ORDER);
    validateOrder(patchList ?? [], order, key);

    const current = orig[field];
    const origList = Array.isArray(current) ? current : undefined;
    let merged: unknown[];
    if (origList && patchList) merged = mergeList(origList, patchList, meta);
    else if (origList) merged = origList;
    else if (patchList) merged = mergeList([], patchList, meta);
    else continue;
    delete patch[field];
    const [inOrder, serverOnly] = partition(merged, order, key);
    orig[field] = normalizeOrder(inOrder, serverOnly, order, origList ?? [], key);
  }
}

/** Items of the patch list (deletions aside) must appear in $setElementOrder, in the same relative order. */
function validateOrder(patchList: unknown[], order: unknown[], key: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((el) => !(isPlainObject(el) && PATCH in el));
  if (key !== undefined) {
    for (const el of [...items, ...order]) {
      if (!isPlainObject(el)) throw badRequest(BAD_SET_ORDER);
      if (!(key in el)) throw noMergeKey(el, key);
    }
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (same(items[p], order[o], key)) p++;
    o++;
  }
  if (p < items.length) {
    throw badRequest(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`,
    );
  }
}
