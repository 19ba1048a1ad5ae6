/**
 * Swagger 2.0 JSON → the `openapi.v2.Document` message shape (gnostic), as kube-openapi's ToProtoBinary
 * does: maps become ordered (name, value) lists, `x-…` keys become `vendor_extension` entries whose value
 * is YAML text (JSON is valid YAML, and Go clients unmarshal it with a YAML decoder).
 */
import type { OperationV2, ParameterV2, PathItemV2, SchemaV2 } from './convert.js';

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, PathItemV2>;
  definitions: Record<string, SchemaV2>;
}

type Message = Record<string, unknown>;

const anyOf = (value: unknown): Message => ({ yaml: `${JSON.stringify(value)}\n` });

function vendorExtensions(obj: object): Message[] {
  return Object.entries(obj)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: anyOf(value) }));
}

export function schemaMessage(s: SchemaV2): Message {
  const m: Message = {};
  if (s.$ref) m._ref = s.$ref;
  if (s.format) m.format = s.format;
  if (s.description) m.description = s.description;
  if (s.default !== undefined) m.default = anyOf(s.default);
  if (s.required && s.required.length > 0) m.required = s.required;
  if (s.additionalProperties !== undefined) {
    m.additional_properties =
      typeof s.additionalProperties === 'boolean'
        ? { boolean: s.additionalProperties }
        : { schema: schemaMessage(s.additionalProperties) };
  }
  if (s.type) m.type = { value: [s.type] };
  if (s.items) m.items = { schema: [schemaMessage(s.items)] };
  if (s.properties) {
    m.properties = {
      additional_properties: Object.entries(s.properties).map(([name, v]) => ({
        name,
        value: schemaMessage(v),
      })),
    };
  }
  const ext = vendorExtensions(s);
  if (ext.length > 0) m.vendor_extension = ext;
  return m;
}

function parameterMessage(p: ParameterV2): Message {
  if (p.in === 'body') {
    const body: Message = { name: p.name, in: 'body', required: p.required ?? false };
    if (p.description) body.description = p.description;
    if (p.schema) body.schema = schemaMessage(p.schema);
    return { parameter: { body_parameter: body } };
  }
  const sub: Message = { name: p.name, in: p.in, required: p.required ?? false };
  if (p.description) sub.description = p.description;
  if (p.type) sub.type = p.type;
  if (p.uniqueItems) sub.unique_items = true;
  const which = p.in === 'path' ? 'path_parameter_sub_schema' : 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

function operationMessage(op: OperationV2): Message {
  const m: Message = {
    tags: op.tags,
    description: op.description,
    operation_id: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    schemes: op.schemes,
    responses: {
      response_code: Object.entries(op.responses).map(([name, r]) => {
        const response: Message = { description: r.description };
        if (r.schema) response.schema = { schema: schemaMessage(r.schema) };
        return { name, value: { response } };
      }),
    },
    vendor_extension: vendorExtensions(op),
  };
  if (op.parameters) m.parameters = op.parameters.map(parameterMessage);
  return m;
}

function pathItemMessage(item: PathItemV2): Message {
  const m: Message = {};
  for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
    const op = item[method];
    if (op) m[method] = operationMessage(op);
  }
  if (item.parameters) m.parameters = item.parameters.map(parameterMessage);
  return m;
}

export function documentMessage(doc: SwaggerDocument): Message {
  return {
    swagger: doc.swagger,
    info: { title: doc.info.title, version: doc.info.version },
    paths: {
      path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMessage(item) })),
    },
    definitions: {
      additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({
        name,
        value: schemaMessage(s),
      })),
    },
  };
}
