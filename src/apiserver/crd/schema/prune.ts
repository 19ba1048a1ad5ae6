/**
 * Pruning of fields a structural schema does not specify, as upstream's schema/pruning with
 * unknown-field tracking, followed by the ObjectMeta pruning of embedded resources' metadata that
 * upstream's objectmeta coercion does.
 */
import { isPlainObject } from '../../../api/meta.js';
import { additionalOf, fieldPath, itemsOf, type JSONSchemaProps } from './types.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** The JSON fields of metav1.ObjectMeta and of the structs in its lists. */
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const LIST_ITEM_FIELDS: Record<string, Set<string>> = {
  ownerReferences: new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']),
  managedFields: new Set([
    'manager',
    'operation',
    'apiVersion',
    'time',
    'fieldsType',
    'fieldsV1',
    'subresource',
  ]),
};

function isEmbeddedMeta(s: JSONSchemaProps | undefined, key: string): boolean {
  return !!s?.['x-kubernetes-embedded-resource'] && META_FIELDS.has(key);
}

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, out: string[]): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) {
    skipPrune(x, s, path, out);
    return;
  }
  if (Array.isArray(x)) {
    const items = s ? itemsOf(s) : undefined;
    x.forEach((v, i) => prune(v, items, fieldPath.index(path, i), out));
    return;
  }
  if (!isPlainObject(x)) return;
  const ap = additionalOf(s);
  for (const [k, v] of Object.entries(x)) {
    if (isEmbeddedMeta(s, k)) continue;
    const prop = s?.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) prune(v, prop, fieldPath.child(path, k), out);
    else if (s && ap !== undefined) prune(v, ap ?? undefined, fieldPath.child(path, k), out);
    else {
      out.push(fieldPath.child(path, k));
      delete x[k];
    }
  }
}

/** Below `x-kubernetes-preserve-unknown-fields`, unknown fields stay but known ones are still pruned. */
function skipPrune(x: unknown, s: JSONSchemaProps | undefined, path: string, out: string[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    x.forEach((v, i) => skipPrune(v, itemsOf(s), fieldPath.index(path, i), out));
    return;
  }
  if (!isPlainObject(x)) return;
  const ap = additionalOf(s);
  for (const [k, v] of Object.entries(x)) {
    if (isEmbeddedMeta(s, k)) continue;
    const prop = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) prune(v, prop, fieldPath.child(path, k), out);
    else if (ap !== undefined) prune(v, ap ?? undefined, fieldPath.child(path, k), out);
  }
}

function pruneObjectMeta(meta: Record<string, unknown>, path: string, out: string[]): void {
  for (const [k, v] of Object.entries(meta)) {
    if (!OBJECT_META.has(k)) {
      out.push(`${path}.${k}`);
      delete meta[k];
      continue;
    }
    const known = LIST_ITEM_FIELDS[k];
    if (!known || !Array.isArray(v)) continue;
    v.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      for (const f of Object.keys(item)) {
        if (known.has(f)) continue;
        out.push(`${path}.${k}[${i}].${f}`);
        delete item[f];
      }
    });
  }
}

/** Embedded resources are found wherever the schema leads, whether or not unknown fields are preserved there. */
function pruneEmbeddedMeta(x: unknown, s: JSONSchemaProps | undefined, path: string, out: string[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    x.forEach((v, i) => pruneEmbeddedMeta(v, itemsOf(s), fieldPath.index(path, i), out));
    return;
  }
  if (!isPlainObject(x)) return;
  if (s['x-kubernetes-embedded-resource'] && isPlainObject(x.metadata)) {
    pruneObjectMeta(x.metadata, fieldPath.child(path, 'metadata'), out);
  }
  const ap = additionalOf(s);
  for (const [k, v] of Object.entries(x)) {
    const prop = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) pruneEmbeddedMeta(v, prop, fieldPath.child(path, k), out);
    else if (ap) pruneEmbeddedMeta(v, ap, fieldPath.key(path, k), out);
  }
}

/** Structural pruning alone (upstream's Prune), as used to check that defaults carry no unknown fields. */
export function pruneWithSchema(value: unknown, schema: JSONSchemaProps, isResourceRoot: boolean): string[] {
  const unknown: string[] = [];
  prune(value, isResourceRoot ? { ...schema, 'x-kubernetes-embedded-resource': true } : schema, '', unknown);
  return unknown;
}

/**
 * Removes, in place, the fields of a custom resource its schema does not specify, and returns their
 * paths for `unknown field "<path>"` strict-decoding errors: the schema's, sorted as upstream sorts
 * them, then those of embedded resources' metadata (whose map-value paths use `[key]`, as upstream).
 * The root apiVersion and kind are kept; the root metadata loses what ObjectMeta does not have.
 */
export function pruneUnknownFields(obj: Record<string, unknown>, schema: JSONSchemaProps): string[] {
  const unknown: string[] = [];
  prune(obj, { ...schema, 'x-kubernetes-embedded-resource': true }, '', unknown);
  unknown.sort();
  const metaUnknown: string[] = [];
  if (isPlainObject(obj.metadata)) pruneObjectMeta(obj.metadata, 'metadata', metaUnknown);
  pruneEmbeddedMeta(obj, schema, '', metaUnknown);
  metaUnknown.sort();
  return [...unknown, ...metaUnknown];
}
