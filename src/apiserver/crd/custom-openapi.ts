/**
 * OpenAPI v3 documents for custom resources: one per served group-version, each kind's schema being its CRD's
 * `openAPIV3Schema` with the standard apiVersion/kind/metadata fields (as upstream publishes them). kubectl
 * needs these to send server-side field validation, and `kubectl explain` reads them.
 */
import {
  buildOpenApi,
  gvkKey,
  minimalListSchema,
  type OpenApi,
  type OpenApiResource,
  type Schema,
  type SchemaSet,
} from '../openapi/index.js';
import { META_V1 } from '../openapi/kinds.js';
import type { ServedCustomResource } from './crd-controller.js';

/** Upstream's schema name for a custom kind: the group reversed, then version and kind (`com.example.v1.Foo`). */
export function customSchemaName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

function kindSchema(schema: unknown, gvk: { group: string; version: string; kind: string }): Schema {
  const base = (schema && typeof schema === 'object' ? schema : { type: 'object' }) as Schema;
  return {
    ...base,
    properties: {
      ...(base.properties ?? {}),
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource.' },
      metadata: {
        allOf: [{ $ref: `#/components/schemas/${META_V1}.ObjectMeta` }],
        description: "Standard object's metadata.",
      },
    },
    'x-kubernetes-group-version-kind': [gvk],
  };
}

/** The documents of every served custom group-version, over the built-in schemas (for ObjectMeta & co). */
export function buildCustomOpenApi(served: readonly ServedCustomResource[], base: SchemaSet): OpenApi {
  const schemas = { ...base.schemas };
  const byGvk = new Map(base.byGvk);
  const resources: OpenApiResource[] = [];
  for (const { def, crd } of served) {
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const gvk = { group: def.group, version: v.name, kind: def.kind };
      const name = customSchemaName(def.group, v.name, def.kind);
      schemas[name] = kindSchema(v.schema?.openAPIV3Schema, gvk);
      schemas[`${name}List`] = minimalListSchema(gvk, name);
      byGvk.set(gvkKey(gvk), name);
    }
    resources.push({
      group: def.group,
      version: def.version,
      kind: def.kind,
      plural: def.plural,
      namespaced: def.namespaced,
      ...(def.subresources ? { subresources: def.subresources } : {}),
      ...(def.aliases ? { aliases: def.aliases.map((a) => ({ group: a.group, version: a.version })) } : {}),
    });
  }
  return buildOpenApi(resources, { schemas: { source: base.source, schemas, byGvk } });
}
