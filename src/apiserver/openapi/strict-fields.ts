/**
 * Server-side field validation (the `fieldValidation` query parameter): unknown and duplicate fields,
 * reported with upstream's paths and wording (sigs.k8s.io/json strict decoding, as used by the apiserver).
 */
import { badRequest, fieldErr, invalid, type ApiError } from '../../api/errors.js';
import type { GroupVersionKind } from '../../api/meta.js';
import { parseJsonTree, treeOfValue, type JsonTree } from './json-tree.js';
import { refName, type Schema, type SchemaMap } from './schema-types.js';
import { defaultSchemas } from './schemas-on-demand.js';
import { schemaNameForGvk, type SchemaSet } from './schemas.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** The directive for a request's `fieldValidation` value: empty means Warn (upstream's default); undefined = unsupported. */
export function parseFieldValidation(value: string | null | undefined): FieldValidation | undefined {
  if (value === undefined || value === null || value === '') return 'Warn';
  return value === 'Ignore' || value === 'Warn' || value === 'Strict' ? value : undefined;
}

export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

export function duplicateFieldMessage(path: string): string {
  return `duplicate field ${JSON.stringify(path)}`;
}

/** Upstream keeps at most this many strict errors per request. */
const MAX_ERRORS = 100;

type Shape =
  | { k: 'any' }
  | { k: 'scalar' }
  | { k: 'object'; props: Record<string, Schema> }
  | { k: 'map'; value: Schema }
  | { k: 'array'; items: Schema | undefined };

const ANY: Shape = { k: 'any' };
const SCALAR: Shape = { k: 'scalar' };

class StrictWalker {
  readonly messages: string[] = [];
  readonly unknown: string[] = [];
  private readonly reported = new Set<string>();
  private readonly shapes = new WeakMap<Schema, Shape>();

  constructor(private readonly schemas: SchemaMap) {}

  walk(node: JsonTree, schema: Schema | undefined, path: string): void {
    if (node.t === 'scalar') return;
    const shape = schema ? this.shapeOf(schema) : ANY;
    if (node.t === 'array') {
      const items = shape.k === 'array' ? shape.items : shape.k === 'any' ? undefined : null;
      if (items === null) return; // wrong type: a decode error, not a strict-field one
      node.items.forEach((item, i) => this.walk(item, items, `${path}[${i}]`));
      return;
    }
    if (shape.k === 'scalar' || shape.k === 'array') return;
    const seen = new Set<string>();
    for (const [key, value] of node.entries) {
      const child = path ? `${path}.${key}` : key;
      let childSchema: Schema | undefined;
      if (shape.k === 'object') {
        childSchema = shape.props[key];
        if (!childSchema) {
          if (!this.unknown.includes(child)) this.unknown.push(child);
          this.report(unknownFieldMessage(child));
          continue;
        }
      } else if (shape.k === 'map') {
        childSchema = shape.value;
      }
      if (seen.has(key)) this.report(duplicateFieldMessage(child));
      seen.add(key);
      this.walk(value, childSchema, child);
    }
  }

  private report(message: string): void {
    if (this.reported.has(message) || this.reported.size >= MAX_ERRORS) return;
    this.reported.add(message);
    this.messages.push(message);
  }

  private shapeOf(schema: Schema): Shape {
    const cached = this.shapes.get(schema);
    if (cached) return cached;
    const shape = this.computeShape(schema);
    this.shapes.set(schema, shape);
    return shape;
  }

  private computeShape(start: Schema): Shape {
    let s: Schema | undefined = start;
    for (let hops = 0; s && hops < 16; hops++) {
      if (s.$ref) {
        const name = refName(s.$ref);
        s = name === undefined ? undefined : this.schemas[name];
      } else if (s.allOf?.length === 1 && !s.properties && !s.type) {
        s = s.allOf[0];
      } else {
        break;
      }
    }
    if (!s || s['x-kubernetes-preserve-unknown-fields']) return ANY;
    if (s.properties) return { k: 'object', props: s.properties };
    if (typeof s.additionalProperties === 'object') return { k: 'map', value: s.additionalProperties };
    if (s.type === 'array') return { k: 'array', items: s.items };
    // An object without declared properties (RawExtension, FieldsV1) holds arbitrary JSON.
    if (s.type === 'object' || s.additionalProperties === true) return ANY;
    if (s.type || s.oneOf) return SCALAR;
    return ANY;
  }
}

function walkerFor(tree: JsonTree, gvk: GroupVersionKind, set: SchemaSet): StrictWalker | undefined {
  const name = schemaNameForGvk(set, gvk);
  const root = name === undefined ? undefined : set.schemas[name];
  if (!root) return undefined;
  const walker = new StrictWalker(set.schemas);
  walker.walk(tree, root, '');
  return walker;
}

/**
 * Paths of fields the kind's schema does not declare, in object order, formatted as upstream
 * (`spec.foo`, `spec.template.spec.containers[0].imagePullPolicyy`, `metadata.labelz`). Map keys
 * (labels, data, …) and free-form values (RawExtension) accept anything. Unknown GVK → [].
 */
export function findUnknownFields(
  obj: unknown,
  gvk: GroupVersionKind,
  set: SchemaSet = defaultSchemas(),
): string[] {
  return walkerFor(treeOfValue(obj), gvk, set)?.unknown ?? [];
}

/**
 * All strict-decoding errors of a request body, in document order with upstream's wording:
 * `unknown field "spec.foo"`, `duplicate field "spec.replicas"`. Pass the raw JSON text to detect duplicate
 * keys (a decoded object cannot have any). Throws SyntaxError for malformed JSON text.
 * For fieldValidation=Warn each message is one warning (HTTP `Warning: 299 - "<message>"`).
 */
export function strictFieldErrors(
  body: unknown,
  gvk: GroupVersionKind,
  set: SchemaSet = defaultSchemas(),
): string[] {
  const tree = typeof body === 'string' ? parseJsonTree(body) : treeOfValue(body);
  return walkerFor(tree, gvk, set)?.messages ?? [];
}

/** Paths of repeated keys anywhere in raw JSON, regardless of schema (`spec.replicas`, `metadata.labels.app`). */
export function findDuplicateFields(rawJson: string): string[] {
  const out: string[] = [];
  const visit = (node: JsonTree, path: string): void => {
    if (node.t === 'array') node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
    if (node.t !== 'object') return;
    const seen = new Set<string>();
    for (const [key, value] of node.entries) {
      const child = path ? `${path}.${key}` : key;
      if (seen.has(key) && !out.includes(child)) out.push(child);
      seen.add(key);
      visit(value, child);
    }
  };
  visit(parseJsonTree(rawJson), '');
  return out;
}

function strictDecodingMessage(messages: string[]): string {
  return `strict decoding error: ${messages.join(', ')}`;
}

/**
 * 400 BadRequest for create/update with fieldValidation=Strict, worded as upstream's decode failure:
 * `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
 * Without a GVK the message is just the `strict decoding error: …` part.
 */
export function strictDecodingError(messages: string[], gvk?: GroupVersionKind): ApiError {
  const detail = strictDecodingMessage(messages);
  if (!gvk) return badRequest(detail);
  return badRequest(
    `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${gvk.kind}: ${detail}`,
  );
}

/**
 * 422 Invalid for a patch with fieldValidation=Strict, as upstream: field `patch`, whose value is the patched
 * object's JSON (merge and JSON patches) or `goValueString(patchMap)` (strategic merge patches).
 */
export function strictPatchError(messages: string[], patchValue: string): ApiError {
  return invalid('', '', '', [fieldErr.invalid('patch', patchValue, strictDecodingMessage(messages))]);
}

/** Go's `%+v` rendering of a decoded JSON value (maps with sorted keys), used in upstream's patch errors. */
export function goValueString(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValueString).join(' ')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts = Object.keys(obj)
      .sort()
      .map((k) => `${k}:${goValueString(obj[k])}`);
    return `map[${parts.join(' ')}]`;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return '';
}
