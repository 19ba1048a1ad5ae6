/**
 * Server-side apply's view of a custom resource's lists and maps, from its schema (upstream reads the same
 * extensions): `x-kubernetes-list-type: map` lists merge item by item on their `x-kubernetes-list-map-keys`,
 * `set` lists merge as sets, other lists are atomic, and `x-kubernetes-map-type: atomic` objects are owned
 * whole. Struct names carry the kind, so they never meet the built-in ones.
 */
import type { FieldMeta, StructMeta } from '../patch/patch-meta.js';
import type { JSONSchemaProps } from './schema/index.js';

export interface CustomMergeMeta {
  root: string;
  structs: Map<string, StructMeta>;
}

export function customMergeMeta(group: string, kind: string, schema: JSONSchemaProps): CustomMergeMeta {
  const structs = new Map<string, StructMeta>();
  const walk = (node: JSONSchemaProps, name: string): string => {
    const struct: Record<string, FieldMeta> = {};
    for (const [field, prop] of Object.entries(node.properties ?? {})) {
      const meta = fieldMetaOf(prop, `${name}.${field}`, walk);
      if (meta) struct[field] = meta;
    }
    structs.set(name, struct);
    return name;
  };
  const root = walk(schema, `${group}/${kind}:`);
  const rootStruct = structs.get(root) as Record<string, FieldMeta>;
  rootStruct.metadata = { type: 'ObjectMeta' };
  return { root, structs };
}

function fieldMetaOf(
  prop: JSONSchemaProps,
  name: string,
  walk: (node: JSONSchemaProps, name: string) => string,
): FieldMeta | undefined {
  const items = prop.items && !Array.isArray(prop.items) ? prop.items : undefined;
  if (prop.type === 'array') {
    const listType = prop['x-kubernetes-list-type'];
    if (listType === 'set') return { list: 'set' };
    if (listType !== 'map') return undefined;
    const keys = prop['x-kubernetes-list-map-keys'] ?? [];
    const meta: FieldMeta = { list: 'map', applyKeys: keys.map((key) => ({ name: key })) };
    if (keys[0] !== undefined) meta.key = keys[0];
    if (items?.properties) meta.type = walk(items, `${name}[]`);
    return meta;
  }
  if (prop['x-kubernetes-map-type'] === 'atomic') return { atomic: true };
  if (prop.properties) return { type: walk(prop, name) };
  return undefined;
}
