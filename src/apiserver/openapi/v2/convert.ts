/**
 * OpenAPI v3 → Swagger 2.0, the way kube-apiserver's `/openapi/v2` spells the same Kubernetes types:
 * `$ref`s point at `#/definitions/…` and sit beside their description (no `allOf` wrapper), and v2 has no
 * `oneOf`, so IntOrString becomes `type: string, format: int-or-string` and Quantity `type: string`.
 */
import type { Operation, Parameter, PathItem } from '../operations.js';
import { refName, type Schema } from '../schema-types.js';

export const DEFINITIONS_PREFIX = '#/definitions/';

/** A Swagger 2.0 schema object, with vendor extensions. */
export interface SchemaV2 {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaV2>;
  items?: SchemaV2;
  additionalProperties?: SchemaV2 | boolean;
  [extension: `x-${string}`]: unknown;
}

export function definitionRef(name: string): string {
  return DEFINITIONS_PREFIX + name;
}

function convertRef(ref: string): string {
  const name = refName(ref);
  if (name === undefined) throw new Error(`unsupported $ref ${ref}`);
  return definitionRef(name);
}

export function schemaToV2(s: Schema): SchemaV2 {
  const out: SchemaV2 = {};
  const single = s.allOf?.length === 1 ? s.allOf[0] : undefined;
  if (single?.$ref) out.$ref = convertRef(single.$ref);
  else if (s.allOf && s.allOf.length > 0) throw new Error('allOf with more than one $ref is not supported');
  if (s.$ref) out.$ref = convertRef(s.$ref);
  if (s['x-kubernetes-int-or-string']) {
    out.type = 'string';
    out.format = 'int-or-string';
  } else if (s.oneOf) {
    // Quantity (string | number) and the like: upstream v2 declares the string form.
    out.type = s.oneOf.some((o) => o.type === 'string') ? 'string' : s.oneOf[0]?.type;
  } else {
    if (s.type) out.type = s.type;
    if (s.format) out.format = s.format;
  }
  if (s.description !== undefined) out.description = s.description;
  if (s.default !== undefined) out.default = s.default;
  if (s.required) out.required = [...s.required];
  if (s.properties) {
    out.properties = {};
    for (const [name, prop] of Object.entries(s.properties)) out.properties[name] = schemaToV2(prop);
  }
  if (s.items) out.items = schemaToV2(s.items);
  if (s.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof s.additionalProperties === 'boolean'
        ? s.additionalProperties
        : schemaToV2(s.additionalProperties);
  }
  if (s['x-kubernetes-group-version-kind']) {
    out['x-kubernetes-group-version-kind'] = s['x-kubernetes-group-version-kind'].map((g) => ({ ...g }));
  }
  return out;
}

/** A Swagger 2.0 parameter: path/query parameters are flat, the body parameter carries a schema. */
export interface ParameterV2 {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: SchemaV2;
}

export interface OperationV2 {
  description: string;
  consumes: string[];
  produces: string[];
  schemes: string[];
  tags: string[];
  operationId: string;
  parameters?: ParameterV2[];
  responses: Record<string, { description: string; schema?: SchemaV2 }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; kind: string; version: string };
}

export type PathItemV2 = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', OperationV2>> & {
  parameters?: ParameterV2[];
};

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_CONSUMES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
export const PATCH_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

function parameterToV2(p: Parameter): ParameterV2 {
  const out: ParameterV2 = { name: p.name, in: p.in, description: p.description, type: p.schema.type };
  if (p.required) out.required = true;
  out.uniqueItems = true;
  return out;
}

/** The `$ref` of a v3 requestBody / response `content` entry. */
function contentRef(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const content = (value as { content?: Record<string, { schema?: { $ref?: string; type?: string } }> })
    .content;
  const first = content ? Object.values(content)[0] : undefined;
  return first?.schema?.$ref;
}

function operationToV2(method: string, op: Operation): OperationV2 {
  const parameters: ParameterV2[] = [];
  const bodyRef = contentRef(op.requestBody);
  if (bodyRef) {
    parameters.push({ name: 'body', in: 'body', required: true, schema: { $ref: convertRef(bodyRef) } });
  } else if (method === 'patch') {
    parameters.push({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: definitionRef(PATCH_DEFINITION) },
    });
  }
  for (const p of op.parameters ?? []) parameters.push(parameterToV2(p));
  const responses: OperationV2['responses'] = {};
  for (const [code, value] of Object.entries(op.responses)) {
    const description = (value as { description?: string }).description ?? '';
    const ref = contentRef(value);
    const content = (value as { content?: Record<string, { schema?: { type?: string } }> }).content;
    const inlineType = content ? Object.values(content)[0]?.schema?.type : undefined;
    const schema = ref ? { $ref: convertRef(ref) } : inlineType ? { type: inlineType } : undefined;
    responses[code] = schema ? { description, schema } : { description };
  }
  const out: OperationV2 = {
    description: op.description,
    consumes: method === 'patch' ? PATCH_CONSUMES : ['*/*'],
    produces: PRODUCES,
    schemes: ['https'],
    tags: op.tags,
    operationId: op.operationId,
    responses,
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': { ...op['x-kubernetes-group-version-kind'] },
  };
  if (parameters.length > 0) out.parameters = parameters;
  return out;
}

export function pathItemToV2(item: PathItem): PathItemV2 {
  const out: PathItemV2 = {};
  for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
    const op = item[method];
    if (op) out[method] = operationToV2(method, op);
  }
  if (item.parameters) out.parameters = item.parameters.map(parameterToV2);
  return out;
}
