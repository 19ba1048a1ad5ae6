import fs from 'node:fs';
import type { GroupVersionKind } from '../../api/meta.js';
import { createLogger, type Logger } from '../../util/logger.js';
import { packageFile } from '../../util/package-root.js';
import { META_V1, SERVED_KINDS, packageOfGroup, type ServedKind } from './kinds.js';
import { refTo, type Schema, type SchemaFile, type SchemaMap } from './schema-types.js';

/** Component schemas plus a GVK index over their `x-kubernetes-group-version-kind`. */
export interface SchemaSet {
  /** `kubernetes-types@1.30.0`, or `fallback` when the generated file was missing. */
  source: string;
  schemas: SchemaMap;
  /** `group/version/Kind` → schema name. */
  byGvk: Map<string, string>;
}

/** Where the build writes the generated schemas. */
export const GENERATED_SCHEMAS_FILE = packageFile('generated', 'k8s-schemas.json');

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

export function indexSchemas(file: SchemaFile): SchemaSet {
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(file.schemas)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      if (!byGvk.has(gvkKey(gvk))) byGvk.set(gvkKey(gvk), name);
    }
  }
  return { source: file.source, schemas: file.schemas, byGvk };
}

/** Upstream-style name for a kind that has no generated schema, e.g. `io.k8s.api.extensions.v1beta1.Deployment`. */
export function nameForKind(gvk: GroupVersionKind): string {
  return `io.k8s.api.${packageOfGroup(gvk.group)}.${gvk.version}.${gvk.kind}`;
}

/** A schema that declares a kind but accepts any fields (used when no generated schema exists). */
export function minimalKindSchema(gvk: GroupVersionKind): Schema {
  return {
    description: `${gvk.kind} (no detailed schema available).`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this representation of the object.' },
      kind: { type: 'string', description: 'Kind of the object.' },
      metadata: {
        allOf: [{ $ref: refTo(`${META_V1}.ObjectMeta`) }],
        description: "Standard object's metadata.",
      },
    },
    'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: gvk.kind, version: gvk.version }],
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

/** A list schema for a kind with a minimal schema. */
export function minimalListSchema(gvk: GroupVersionKind, itemSchema: string): Schema {
  return {
    description: `${gvk.kind}List is a list of ${gvk.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { allOf: [{ $ref: refTo(itemSchema) }], default: {} } },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: refTo(`${META_V1}.ListMeta`) }] },
    },
    'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: `${gvk.kind}List`, version: gvk.version }],
  };
}

/** Minimal schemas for the served kinds: enough for kubectl's validation gate, no field checking. */
export function fallbackSchemaFile(kinds: readonly ServedKind[] = SERVED_KINDS): SchemaFile {
  const schemas: SchemaMap = {
    [`${META_V1}.ObjectMeta`]: {
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    [`${META_V1}.ListMeta`]: {
      description: 'ListMeta describes metadata that synthetic resources must have.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    [`${META_V1}.Status`]: {
      description: 'Status is a return value for calls that do not return other objects.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    [`${META_V1}.DeleteOptions`]: {
      description: 'DeleteOptions may be provided when deleting an API object.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    },
  };
  for (const k of kinds) {
    schemas[nameForKind(k)] = minimalKindSchema(k);
    schemas[`${nameForKind(k)}List`] = minimalListSchema(k, nameForKind(k));
  }
  return { source: 'fallback', schemas };
}

let warnedMissing = false;

/**
 * A JSON.parse reviver for a read-only schema set: drops descriptions (a schema's description is a string; a
 * property named "description" maps to a schema object) and makes identical subtrees one shared, frozen object
 * (`{type: 'string'}`, `{allOf: [{$ref: …}]}`, whole small schemas), which halves the set's heap (1.1 → 0.6 MiB).
 * The reviver sees children before their parent, so a parent whose children are all shared is compared whole;
 * as every leaf is, the whole set comes out frozen. Subtrees whose text is longer than `sharedTextLimit` are
 * frozen but not remembered (for a reviver that outlives one parse).
 */
export function compactingReviver(sharedTextLimit = Infinity): (key: string, value: unknown) => unknown {
  const byText = new Map<string, object>();
  const shared = new WeakSet<object>();
  const isShareable = (v: unknown): boolean => v === null || typeof v !== 'object' || shared.has(v);
  return (key, value) => {
    if (key === 'description' && typeof value === 'string') return undefined;
    if (value === null || typeof value !== 'object') return value;
    if (!(Array.isArray(value) ? value : Object.values(value)).every(isShareable)) return value;
    const text = JSON.stringify(value);
    const same = byText.get(text);
    if (same) return same;
    if (text.length <= sharedTextLimit) byText.set(text, value);
    shared.add(Object.freeze(value));
    return value;
  };
}

/**
 * Read the generated schemas. A missing or unreadable file is not fatal: the server runs on minimal
 * schemas (kubectl's validation gate still passes; explain and strict field checks degrade) and warns once.
 */
export function loadSchemas(
  file: string | URL = GENERATED_SCHEMAS_FILE,
  logger?: Logger,
  opts: { descriptions?: boolean } = {},
): SchemaSet {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const parsed = (
      opts.descriptions === false ? JSON.parse(text, compactingReviver()) : JSON.parse(text)
    ) as SchemaFile;
    if (typeof parsed.schemas !== 'object' || parsed.schemas === null) throw new Error('no "schemas" object');
    return indexSchemas(parsed);
  } catch (err) {
    if (!warnedMissing) {
      warnedMissing = true;
      (logger ?? createLogger('openapi')).warn(
        'generated OpenAPI schemas unavailable; serving minimal schemas (run scripts/gen-openapi-schemas.ts)',
        { file: String(file), error: err instanceof Error ? err.message : String(err) },
      );
    }
    return indexSchemas(fallbackSchemaFile());
  }
}

/**
 * The schema name describing a GVK. Exact GVK first; otherwise another version of the same kind
 * in the same group (e.g. batch/v1beta1 CronJob → batch/v1), as older versions reuse current schemas; kinds
 * of the legacy `extensions` group map to their current group (Deployment → apps/v1, Ingress → networking).
 */
export function schemaNameForGvk(set: SchemaSet, gvk: GroupVersionKind): string | undefined {
  const exact = set.byGvk.get(gvkKey(gvk));
  if (exact) return exact;
  let sameGroup: string | undefined;
  let sameGroupPrefix: string | undefined;
  let other: string | undefined;
  for (const [key, name] of set.byGvk) {
    const [group, version, kind] = key.split('/');
    if (kind !== gvk.kind || version === undefined) continue;
    if (group === gvk.group) {
      sameGroup ??= name;
      if (gvk.version.startsWith(version)) sameGroupPrefix ??= name;
    } else if (gvk.group === 'extensions') {
      other ??= name;
    }
  }
  return sameGroupPrefix ?? sameGroup ?? other;
}
