/**
 * Strategic-merge extensions (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`) on v2
 * definitions. Once `/openapi/v2` is served, kubectl's client-side apply computes its patches from these
 * instead of its compiled-in Go types, so they must say exactly what our server's patch engine does:
 * the facts come from the same table (patch/patch-meta.ts), walked from each kind's top-level struct.
 */
import type { GroupVersionKind } from '../../../api/meta.js';
import { STRUCTS, rootTypeFor, type FieldMeta } from '../../patch/patch-meta.js';
import { DEFINITIONS_PREFIX, type SchemaV2 } from './convert.js';

export const MERGE_KEY = 'x-kubernetes-patch-merge-key';
export const PATCH_STRATEGY = 'x-kubernetes-patch-strategy';

function strategyOf(meta: FieldMeta): string | undefined {
  const parts: string[] = [];
  if (meta.list === 'map' || meta.list === 'set') parts.push('merge');
  if (meta.retainKeys) parts.push('retainKeys');
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** The definition a property points at, directly or through its array items. */
function targetDefinition(prop: SchemaV2): string | undefined {
  const ref = prop.$ref ?? prop.items?.$ref;
  return ref?.startsWith(DEFINITIONS_PREFIX) ? ref.slice(DEFINITIONS_PREFIX.length) : undefined;
}

/** Annotates, in place, the definitions reachable from every kind that accepts strategic merge patch. */
export function addPatchExtensions(definitions: Record<string, SchemaV2>): void {
  const visited = new Set<string>();
  const walk = (definition: string, struct: string): void => {
    const key = `${definition} ${struct}`;
    if (visited.has(key)) return;
    visited.add(key);
    const schema = definitions[definition];
    const fields = STRUCTS[struct];
    if (!schema?.properties || !fields) return;
    for (const [field, meta] of Object.entries(fields)) {
      const prop = schema.properties[field];
      if (!prop) continue;
      const strategy = strategyOf(meta);
      if (strategy) prop[PATCH_STRATEGY] = strategy;
      if (meta.list === 'map' && meta.key) prop[MERGE_KEY] = meta.key;
      const target = targetDefinition(prop);
      if (meta.type && target) walk(target, meta.type);
    }
  };
  for (const [name, schema] of Object.entries(definitions)) {
    const gvks = (schema['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[];
    for (const gvk of gvks) {
      const root = rootTypeFor(gvk);
      if (root) walk(name, root);
    }
  }
}
