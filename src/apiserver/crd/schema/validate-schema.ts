/**
 * The checks upstream's CRD validation makes of `spec.versions[*].schema.openAPIV3Schema` for an
 * apiextensions.k8s.io/v1 CustomResourceDefinition being created: structural (structural.ts),
 * defaults (schema-defaults.ts), then the OpenAPI subset CRDs accept (below), in that order.
 *
 * Not implemented (they need the CRD around the schema, or CEL):
 * - the root restrictions when the status subresource is enabled;
 * - type-checking and costing `x-kubernetes-validations` rules against the schema, and checking a
 *   rule's `fieldPath` (rules are checked for shape and must parse);
 * - checking defaults inside embedded ObjectMeta as a whole surrounding object;
 * - the leniency upstream keeps on update for schemas already stored with constructs now forbidden
 *   (every schema is checked as on create).
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateDefaults } from './schema-defaults.js';
import { structuralBuildError, validateStructural } from './structural.js';
import { additionalOf, fieldPath, hasDefault, itemsOf, type JSONSchemaProps } from './types.js';
import { validateRuleShapes } from './validation-rules.js';

const { child, key, index } = fieldPath;
const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

interface Context {
  /** Set when defaults are forbidden here, with the reason appended to `must not be set`. */
  noDefaults?: string;
  insideResourceMeta: boolean;
}

function standard(s: JSONSchemaProps, path: string, ctx: Context): FieldError[] {
  const errs: FieldError[] = [];
  const forbid = (name: string, detail: string): void => {
    errs.push(fieldErr.forbidden(child(path, name), detail));
  };
  if (s.type && !OPENAPI_V3_TYPES.includes(s.type)) {
    errs.push(fieldErr.notSupported(child(path, 'type'), s.type, OPENAPI_V3_TYPES));
  }
  if (hasDefault(s) && ctx.noDefaults !== undefined) {
    forbid('default', ctx.noDefaults ? `must not be set ${ctx.noDefaults}` : 'must not be set');
  }
  if (s.id) forbid('id', 'id is not supported');
  if (s.additionalItems != null) forbid('additionalItems', 'additionalItems is not supported');
  if (Object.keys(s.patternProperties ?? {}).length)
    forbid('patternProperties', 'patternProperties is not supported');
  if (Object.keys(s.definitions ?? {}).length) forbid('definitions', 'definitions is not supported');
  if (s.dependencies != null) forbid('dependencies', 'dependencies is not supported');
  if (s.$ref != null) forbid('$ref', '$ref is not supported');
  if (s.type === 'null') forbid('type', 'type cannot be set to null, use nullable as an alternative');
  if (Array.isArray(s.items) && s.items.length > 0)
    forbid('items', 'items must be a schema object and not an array');
  if (ctx.insideResourceMeta && s['x-kubernetes-embedded-resource']) {
    forbid('x-kubernetes-embedded-resource', 'must not be used inside of resource meta');
  }
  return errs;
}

function listAndMapTypes(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = s.type ?? '';
  const items = itemsOf(s);
  const listType = s['x-kubernetes-list-type'] ?? undefined;
  const mapType = s['x-kubernetes-map-type'] ?? undefined;
  const mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
  const typeErr = (want: string, ext: string): FieldError => {
    const detail = `must be ${want} if x-kubernetes-${ext} is specified`;
    return type
      ? fieldErr.invalid(child(path, 'type'), type, detail)
      : fieldErr.required(child(path, 'type'), detail);
  };
  if (mapType !== undefined && type !== 'object') errs.push(typeErr('object', 'map-type'));
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(fieldErr.notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && type !== 'array') {
    errs.push(typeErr('array', 'list-type'));
  } else if (listType === 'set' && items) {
    const detail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemList = items['x-kubernetes-list-type'] ?? undefined;
    if (items.type === 'array' && itemList !== undefined && itemList !== 'atomic') {
      errs.push(fieldErr.invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), itemList, detail));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      // Upstream reports the items' list type here (usually unset, rendered as null).
      errs.push(
        fieldErr.invalid(child(child(path, 'items'), 'x-kubernetes-map-type'), itemList ?? 'null', detail),
      );
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) {
    errs.push(
      fieldErr.notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']),
    );
  }
  if (mapKeys.length > 0 && listType !== 'map') {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    const at = child(path, 'x-kubernetes-list-type');
    errs.push(
      listType === undefined ? fieldErr.required(at, detail) : fieldErr.invalid(at, listType, detail),
    );
  }
  if (listType === 'map') errs.push(...listMap(s, path, mapKeys));
  if ((listType === 'set' || listType === 'map') && items)
    errs.push(...listItemsNullability(s, items, path, listType, mapKeys));
  return errs;
}

function listMap(s: JSONSchemaProps, path: string, mapKeys: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const items = itemsOf(s);
  const keysAt = child(path, 'x-kubernetes-list-map-keys');
  if (mapKeys.length === 0)
    errs.push(fieldErr.required(keysAt, 'must not be empty if x-kubernetes-list-type is map'));
  if (s.items === undefined)
    errs.push(fieldErr.required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
  if (Array.isArray(s.items)) {
    const detail = 'must only have a single schema if x-kubernetes-list-type is map';
    errs.push(fieldErr.invalid(child(path, 'items'), s.items, detail));
  }
  if (!items) return errs;
  if (items.type !== 'object') {
    const detail = "must be object if parent array's x-kubernetes-list-type is map";
    errs.push(fieldErr.invalid(child(child(path, 'items'), 'type'), items.type ?? '', detail));
    return errs;
  }
  const seen = new Set<string>();
  for (const k of mapKeys) {
    const prop = items.properties && Object.hasOwn(items.properties, k) ? items.properties[k] : undefined;
    if (!prop) {
      errs.push(fieldErr.invalid(keysAt, mapKeys, 'entries must all be names of item properties'));
    } else if (prop.type === 'array' || prop.type === 'object') {
      // Upstream reports the items' type here, not the key's.
      const detail = "must be a scalar type if parent array's x-kubernetes-list-type is map";
      errs.push(
        fieldErr.invalid(
          child(key(child(child(path, 'items'), 'properties'), k), 'type'),
          items.type,
          detail,
        ),
      );
    }
    if (seen.has(k)) errs.push(fieldErr.invalid(keysAt, mapKeys, 'must not contain duplicate entries'));
    seen.add(k);
  }
  return errs;
}

/** Items of sets and maps, and map keys, can't be null; keys must always be present. */
function listItemsNullability(
  s: JSONSchemaProps,
  items: JSONSchemaProps,
  path: string,
  listType: string,
  mapKeys: string[],
): FieldError[] {
  const errs: FieldError[] = [];
  const itemsPath = child(path, 'items');
  if (items.nullable) {
    errs.push(
      fieldErr.forbidden(
        child(itemsPath, 'nullable'),
        `cannot be nullable when x-kubernetes-list-type is ${listType}`,
      ),
    );
  }
  if (listType !== 'map') return errs;
  const required = new Set(items.required ?? []);
  for (const k of mapKeys) {
    const prop = items.properties && Object.hasOwn(items.properties, k) ? items.properties[k] : undefined;
    if (!prop) continue;
    const at = key(child(itemsPath, 'properties'), k);
    if (!required.has(k) && !hasDefault(prop)) {
      const detail =
        'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property';
      errs.push(fieldErr.required(child(at, 'default'), detail));
    }
    if (prop.nullable) {
      errs.push(
        fieldErr.forbidden(
          child(at, 'nullable'),
          'this property is in x-kubernetes-list-map-keys, so it cannot be nullable',
        ),
      );
    }
  }
  return errs;
}

function openAPISchema(s: JSONSchemaProps, path: string, ctx: Context, isRoot: boolean): FieldError[] {
  const errs = standard(s, path, ctx);
  if (s.uniqueItems) {
    const detail = 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic';
    errs.push(fieldErr.forbidden(child(path, 'uniqueItems'), detail));
  }
  const ap = additionalOf(s);
  if (ap !== undefined) {
    // properties are for structs, additionalProperties for maps: both would contradict pruning.
    // Alone, even `additionalProperties: false` is accepted, as by current upstream releases.
    if (Object.keys(s.properties ?? {}).length > 0 && s.additionalProperties !== true) {
      errs.push(
        fieldErr.forbidden(
          child(path, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const sub = ctx.insideResourceMeta
      ? { ...ctx, noDefaults: 'inside additionalProperties applying to object metadata' }
      : ctx;
    if (ap) errs.push(...openAPISchema(ap, child(path, 'additionalProperties'), sub, false));
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, noDefaults: `in top-level ${k}` };
    }
    errs.push(...openAPISchema(p, key(child(path, 'properties'), k), sub, false));
  }
  if (s.not) errs.push(...openAPISchema(s.not, child(path, 'not'), ctx, false));
  for (const junctor of ['allOf', 'oneOf', 'anyOf'] as const) {
    s[junctor]?.forEach((x, i) => errs.push(...openAPISchema(x, index(child(path, junctor), i), ctx, false)));
  }
  for (const [k, d] of Object.entries(s.definitions ?? {})) {
    errs.push(...openAPISchema(d, key(child(path, 'definitions'), k), ctx, false));
  }
  const items = s.items;
  if (Array.isArray(items))
    items.forEach((x, i) => errs.push(...openAPISchema(x, index(child(path, 'items'), i), ctx, false)));
  else if (items) errs.push(...openAPISchema(items, child(path, 'items'), ctx, false));
  for (const [k, d] of Object.entries(s.dependencies ?? {})) {
    if (!Array.isArray(d)) errs.push(...openAPISchema(d, key(child(path, 'dependencies'), k), ctx, false));
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(
      fieldErr.invalid(
        child(path, 'x-kubernetes-preserve-unknown-fields'),
        false,
        'must be true or undefined',
      ),
    );
  }
  errs.push(...listAndMapTypes(s, path));
  errs.push(
    ...validateRuleShapes(s['x-kubernetes-validations'] ?? [], child(path, 'x-kubernetes-validations')),
  );
  return errs;
}

/**
 * Field errors of a version's `openAPIV3Schema` at `path` (e.g.
 * `spec.versions[0].schema.openAPIV3Schema`), as upstream reports them for a v1 CRD.
 */
export function validateSchemaDefinition(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (schema.nullable)
    errs.push(fieldErr.forbidden(child(path, 'nullable'), 'nullable cannot be true at the root'));
  const buildError = structuralBuildError(schema);
  if (!buildError) {
    const structural = validateStructural(schema, path);
    errs.push(...(structural.length > 0 ? structural : validateDefaults(schema, path)));
  }
  errs.push(...openAPISchema(schema, path, { insideResourceMeta: false }, true));
  // Upstream shows why no structural schema could be built only when nothing else explains it.
  if (errs.length === 0 && buildError) errs.push(fieldErr.invalid(path, '', buildError));
  return errs;
}
