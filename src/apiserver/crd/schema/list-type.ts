/**
 * The uniqueness invariants of `x-kubernetes-list-type: set` (whole items) and `map` (the
 * `x-kubernetes-list-map-keys` of each item), as upstream's schema/listtype validation.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isPlainObject } from '../../../api/meta.js';
import { additionalOf, fieldPath, itemsOf, type JSONSchemaProps } from './types.js';

/** A key under which equal JSON values meet; an absent map key is its own value. */
const UNSPECIFIED = '\u0000unspecified';

function canonical(v: unknown): string {
  if (v === UNSPECIFIED) return v;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Indexes of the first repetition of each repeated value. */
function repeatedAt(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const key = canonical(v);
    const times = seen.get(key) ?? 0;
    if (times === 1) out.push(i);
    seen.set(key, times + 1);
  });
  return out;
}

function validateListMap(path: string, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  for (const [i, x] of list.entries()) {
    if (x !== null && !isPlainObject(x)) {
      return [
        fieldErr.invalid(fieldPath.index(path, i), x, 'must be an object for an array of list-type map'),
      ];
    }
  }
  if (list.length <= 1) return [];
  const keyFields = s['x-kubernetes-list-map-keys'] ?? [];
  const keys = list.map((x) => {
    const item = isPlainObject(x) ? x : {};
    if (keyFields.length === 1) {
      const k = keyFields[0] ?? '';
      return Object.hasOwn(item, k) ? item[k] : UNSPECIFIED;
    }
    return Object.fromEntries(keyFields.filter((k) => Object.hasOwn(item, k)).map((k) => [k, item[k]]));
  });
  return repeatedAt(keys).map((i) => {
    const key = keys[i];
    let shown: unknown = key;
    if (keyFields.length === 1) shown = key === UNSPECIFIED ? {} : { [keyFields[0] ?? '']: key };
    return fieldErr.duplicate(fieldPath.index(path, i), shown);
  });
}

function validateArray(path: string, s: JSONSchemaProps, list: unknown[], errs: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set' && list.length > 1) {
    for (const i of repeatedAt(list)) errs.push(fieldErr.duplicate(fieldPath.index(path, i), list[i]));
  } else if (listType === 'map') {
    errs.push(...validateListMap(path, s, list));
  }
  const items = itemsOf(s);
  if (items) list.forEach((v, i) => validateValue(fieldPath.index(path, i), items, v, errs));
}

function validateObject(
  path: string,
  s: JSONSchemaProps,
  obj: Record<string, unknown>,
  errs: FieldError[],
): void {
  const ap = additionalOf(s);
  if (ap) for (const [k, v] of Object.entries(obj)) validateValue(fieldPath.key(path, k), ap, v, errs);
  const props = s.properties;
  if (!props) return;
  for (const [k, v] of Object.entries(obj)) {
    const sub = props[k];
    if (sub && Object.hasOwn(props, k)) validateValue(fieldPath.child(path, k), sub, v, errs);
  }
}

function validateValue(path: string, s: JSONSchemaProps, v: unknown, errs: FieldError[]): void {
  if (Array.isArray(v)) validateArray(path, s, v, errs);
  else if (isPlainObject(v)) validateObject(path, s, v, errs);
}

/** Duplicate items of list-type set and map lists anywhere in `obj`. */
export function validateListSetsAndMaps(obj: Record<string, unknown>, schema: JSONSchemaProps): FieldError[] {
  const errs: FieldError[] = [];
  validateObject('', schema, obj, errs);
  return errs;
}
