/**
 * `/openapi/v2`: one Swagger 2.0 document for every served group-version, built from the same schemas
 * and paths as the v3 documents. kubectl only reads it as gnostic protobuf: to validate `kind: List`
 * manifests client-side, and to compute client-side apply patches (from the patch extensions).
 */
import { createHash } from 'node:crypto';
import { groupVersionDocuments, type BuildOptions, type OpenApiResource } from '../document.js';
import type { Schema } from '../schema-types.js';
import { PATCH_DEFINITION, pathItemToV2, schemaToV2, type PathItemV2, type SchemaV2 } from './convert.js';
import { gnosticDocumentType } from './gnostic-proto.js';
import { addPatchExtensions } from './patch-extensions.js';
import { documentMessage, type SwaggerDocument } from './to-gnostic.js';

export interface OpenApiV2 {
  /** The Swagger 2.0 JSON document. */
  json: Buffer;
  /** The same document as an encoded `openapi.v2.Document`. */
  protobuf: Buffer;
  /** Quoted upper-case hex SHA-512 of the JSON, as upstream (one ETag for both encodings). */
  etag: string;
}

/**
 * A kind whose schema is only a placeholder (no generated schema) accepts any field: in v2 it becomes a
 * plain object without a GVK, so kubectl neither validates it field by field nor derives patches from it.
 */
function definitionFor(schema: Schema): SchemaV2 {
  if (!schema['x-kubernetes-preserve-unknown-fields']) return schemaToV2(schema);
  const out: SchemaV2 = { type: 'object' };
  if (schema.description) out.description = schema.description;
  return out;
}

export function buildSwagger(
  resources: readonly OpenApiResource[],
  opts: BuildOptions = {},
): SwaggerDocument {
  const definitions: Record<string, SchemaV2> = {
    [PATCH_DEFINITION]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
  };
  const paths: Record<string, PathItemV2> = {};
  let infoVersion = opts.kubernetesVersion ?? 'v1.32.0';
  for (const { doc } of groupVersionDocuments(resources, opts)) {
    infoVersion = doc.info.version;
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      definitions[name] ??= definitionFor(schema);
    }
    for (const [path, item] of Object.entries(doc.paths)) paths[path] = pathItemToV2(item);
  }
  addPatchExtensions(definitions);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: infoVersion },
    paths: sortKeys(paths),
    definitions: sortKeys(definitions),
  };
}

export function buildOpenApiV2(resources: readonly OpenApiResource[], opts: BuildOptions = {}): OpenApiV2 {
  const swagger = buildSwagger(resources, opts);
  const json = Buffer.from(JSON.stringify(swagger));
  const type = gnosticDocumentType();
  const protobuf = Buffer.from(type.encode(type.fromObject(documentMessage(swagger))).finish());
  const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
  return { json, protobuf, etag: `"${hash}"` };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k] as T;
  return out;
}
