/**
 * The OpenAPI v3 documents kubectl reads: `/openapi/v3` (an index of group-versions) and
 * `/openapi/v3/<gv>` (paths + component schemas of one group-version). Built and encoded once.
 */
import { createHash } from 'node:crypto';
import type { GroupVersionKind } from '../../api/meta.js';
import { META_V1 } from './kinds.js';
import { resourcePaths, subresourceSchema, type PathItem } from './operations.js';
import { refName, type Schema, type SchemaMap } from './schema-types.js';
import {
  loadSchemas,
  gvkKey,
  minimalKindSchema,
  minimalListSchema,
  nameForKind,
  schemaNameForGvk,
  type SchemaSet,
} from './schemas.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** One served kind; a registry ResourceDef fits this shape (its aliases are served too). */
export interface OpenApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  subresources?: readonly string[];
  /** Verbs on the main resource; default all. Review kinds are create-only. */
  verbs?: readonly string[];
  /** Other group-versions serving the same kind (e.g. extensions/v1beta1); each gets its own GVK. */
  aliases?: ReadonlyArray<{ group: string; version: string }>;
}

export interface GroupVersionDoc {
  /** The encoded JSON document. */
  body: Buffer;
  /** Upper-case hex SHA-512 of body, as upstream; changes whenever the document does. */
  hash: string;
  /** Quoted ETag header value. */
  etag: string;
}

export interface OpenApi {
  /** The `/openapi/v3` document: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=…"}, …}}`. */
  index(): unknown;
  /** The index, encoded. */
  indexBody(): Buffer;
  /** The document for `api/v1` or `apis/<group>/<version>`; undefined for an unknown key. */
  groupVersionDoc(key: string): GroupVersionDoc | undefined;
  /** Keys of all group-version documents. */
  keys(): string[];
}

export interface BuildOptions {
  schemas?: SchemaSet;
  /** `info.version` of every document. */
  kubernetesVersion?: string;
}

interface Entry {
  resource: OpenApiResource;
  group: string;
  version: string;
}

export function groupVersionKey(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** One group-version's OpenAPI v3 document, before encoding. */
export interface GroupVersionDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: SchemaMap };
}

/** The v3 document of every served group-version (aliases included), keyed as `api/v1`, sorted. */
export function groupVersionDocuments(
  resources: readonly OpenApiResource[],
  opts: BuildOptions = {},
): Array<{ key: string; doc: GroupVersionDocument }> {
  const set = opts.schemas ?? loadSchemas();
  const infoVersion = opts.kubernetesVersion ?? 'v1.32.0';
  const byGv = new Map<string, Entry[]>();
  for (const resource of resources) {
    const versions = [{ group: resource.group, version: resource.version }, ...(resource.aliases ?? [])];
    for (const { group, version } of versions) {
      const key = groupVersionKey(group, version);
      const list = byGv.get(key) ?? [];
      list.push({ resource, group, version });
      byGv.set(key, list);
    }
  }
  return [...byGv.keys()]
    .sort()
    .map((key) => ({ key, doc: groupVersionDocument(key, byGv.get(key) ?? [], set, infoVersion) }));
}

export function buildOpenApi(resources: readonly OpenApiResource[], opts: BuildOptions = {}): OpenApi {
  const docs = new Map<string, GroupVersionDoc>();
  for (const { key, doc } of groupVersionDocuments(resources, opts)) {
    const body = Buffer.from(JSON.stringify(doc));
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    docs.set(key, { body, hash, etag: `"${hash}"` });
  }

  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of docs) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  const index = { paths };
  const indexBody = Buffer.from(JSON.stringify(index));

  return {
    index: () => index,
    indexBody: () => indexBody,
    groupVersionDoc: (key) => docs.get(key.replace(/^\/+|\/+$/g, '')),
    keys: () => [...docs.keys()],
  };
}

function groupVersionDocument(
  key: string,
  entries: Entry[],
  set: SchemaSet,
  infoVersion: string,
): GroupVersionDocument {
  const extra: SchemaMap = {};
  const roots = new Set<string>([`${META_V1}.Status`, `${META_V1}.DeleteOptions`]);
  const paths: Record<string, PathItem> = {};
  for (const { resource: r, group, version } of entries) {
    const gvk: GroupVersionKind = { group, version, kind: r.kind };
    const { schema, listSchema } = kindSchemaNames(gvk, set, extra);
    roots.add(schema);
    if (listSchema) roots.add(listSchema);
    const subresources = r.subresources ?? [];
    for (const sub of subresources) {
      const name = subresourceSchema(sub);
      if (name && name in set.schemas) roots.add(name);
    }
    Object.assign(
      paths,
      resourcePaths({
        prefix: `/${key}`,
        group,
        version,
        kind: r.kind,
        plural: r.plural,
        namespaced: r.namespaced,
        verbs: new Set(r.verbs ?? ALL_VERBS),
        subresources: subresources.filter((s) => {
          const name = subresourceSchema(s);
          return name === undefined || name in set.schemas;
        }),
        schema,
        listSchema,
      }),
    );
  }
  const sortedPaths: Record<string, PathItem> = {};
  for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p] as PathItem;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: infoVersion },
    paths: sortedPaths,
    components: { schemas: closure(roots, set.schemas, extra) },
  };
}

/**
 * Schema names for a served GVK and its list. Kinds served at an older version reuse the current schema under
 * their own name and GVK (kubectl explain looks schemas up by GVK); kinds without any schema get minimal ones.
 */
function kindSchemaNames(
  gvk: GroupVersionKind,
  set: SchemaSet,
  extra: SchemaMap,
): { schema: string; listSchema: string | undefined } {
  const found = schemaNameForGvk(set, gvk);
  const ownGvk = [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
  const base = found ? set.schemas[found] : undefined;
  const existingList = found && `${found}List` in set.schemas ? `${found}List` : undefined;
  if (found && set.byGvk.get(gvkKey(gvk)) === found) return { schema: found, listSchema: existingList };
  const name = nameForKind(gvk);
  if (base) {
    extra[name] = { ...base, 'x-kubernetes-group-version-kind': ownGvk };
    return { schema: name, listSchema: existingList };
  }
  extra[name] = minimalKindSchema(gvk);
  extra[`${name}List`] = minimalListSchema(gvk, name);
  return { schema: name, listSchema: `${name}List` };
}

/** Every schema reachable from roots through `$ref`s. */
function closure(roots: Iterable<string>, schemas: SchemaMap, extra: SchemaMap): SchemaMap {
  const out: SchemaMap = {};
  const queue = [...roots];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (name in out) continue;
    const schema = extra[name] ?? schemas[name];
    if (!schema) continue;
    out[name] = schema;
    collectRefs(schema, queue);
  }
  const sorted: SchemaMap = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k] as Schema;
  return sorted;
}

function collectRefs(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = refName(v);
        if (name) into.push(name);
      } else {
        collectRefs(v, into);
      }
    }
  }
}
