/**
 * Structural defaulting as upstream's schema/defaulting: on decode, nulls of non-nullable fields
 * without a default are dropped (pruneNonNullableNulls), then defaults fill absent fields and
 * non-nullable nulls (applyDefaults).
 */
import { cloneJson, isPlainObject } from '../../../api/meta.js';
import { additionalOf, hasDefault, itemsOf, type JSONSchemaProps } from './types.js';

function isNonNullableNull(v: unknown, s: JSONSchemaProps | null | undefined): s is JSONSchemaProps {
  return v === null && !!s && !s.nullable;
}

function propertyOf(s: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  return s?.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
}

function defaultValue(x: unknown, s: JSONSchemaProps | null | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = cloneJson(items.default);
      defaultValue(x[i], items);
    }
    return;
  }
  if (!isPlainObject(x)) return;
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    if (!hasDefault(prop)) continue;
    const absent = !Object.hasOwn(x, k) || x[k] === undefined;
    if (absent || isNonNullableNull(x[k], prop)) x[k] = cloneJson(prop.default);
  }
  const ap = additionalOf(s);
  for (const k of Object.keys(x)) {
    const prop = propertyOf(s, k);
    if (prop) {
      defaultValue(x[k], prop);
    } else if (ap !== undefined) {
      if (isNonNullableNull(x[k], ap) && hasDefault(ap)) x[k] = cloneJson(ap.default);
      defaultValue(x[k], ap);
    }
  }
}

/**
 * Sets, in place, the schema's `default` of every absent field (and of every null one the schema
 * does not make nullable), through objects, array items and additionalProperties. Defaults are
 * deep-copied, and defaulted objects are defaulted further by their own schema.
 */
export function applyDefaults(obj: Record<string, unknown>, schema: JSONSchemaProps): void {
  defaultValue(obj, schema);
}

function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (const v of x) pruneNulls(v, items);
    return;
  }
  if (!isPlainObject(x)) return;
  const ap = additionalOf(s);
  for (const [k, v] of Object.entries(x)) {
    const sub = propertyOf(s, k) ?? ap ?? undefined;
    if (isNonNullableNull(v, sub) && !hasDefault(sub)) delete x[k];
    else pruneNulls(v, sub);
  }
}

/**
 * Removes, in place, null fields whose schema is neither nullable nor defaulted (upstream does this
 * right after pruning, before defaulting; defaulted ones are left for applyDefaults to fill).
 */
export function pruneNonNullableNulls(obj: Record<string, unknown>, schema: JSONSchemaProps): void {
  pruneNulls(obj, schema);
}
