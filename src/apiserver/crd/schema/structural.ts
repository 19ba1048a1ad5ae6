/**
 * Whether a schema is structural, as upstream's schema.ValidateStructural: every node has a type,
 * value validations (allOf/anyOf/oneOf/not) only restrict what the structure already specifies,
 * and root metadata restricts nothing but name and generateName. Errors are sorted by their text.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { compileGoPattern } from './regex.js';
import { additionalOf, fieldPath, hasDefault, itemsOf, type JSONSchemaProps } from './types.js';

type Level = 'root' | 'item' | 'field';

const { child, key, index } = fieldPath;
const props = (path: string, k: string): string => key(child(path, 'properties'), k);

/** Keys whose empty array upstream's conversion leaves nil (and so unset). */
const NIL_WHEN_EMPTY = new Set(['enum', 'allOf', 'anyOf', 'oneOf']);

/** Whether a key is unset as far as upstream's structural schema (Go zero values) is concerned. */
function isUnset(k: string, v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return true;
  return Array.isArray(v) && v.length === 0 && NIL_WHEN_EMPTY.has(k);
}

function onlyType(s: JSONSchemaProps | undefined, type: string): boolean {
  return !!s && s.type === type && Object.entries(s).every(([k, v]) => k === 'type' || isUnset(k, v));
}

/** `anyOf: [{type: integer}, {type: string}]`, the int-or-string shape allowed to carry types. */
function isIntOrStringAnyOf(s: JSONSchemaProps | undefined): boolean {
  const a = s?.anyOf;
  return a?.length === 2 && onlyType(a[0], 'integer') && onlyType(a[1], 'string');
}

function valueValidation(
  s: JSONSchemaProps,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  lvl: Level,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf)
    s.anyOf?.forEach((x, i) => errs.push(...nested(x, false, lvl, index(child(path, 'anyOf'), i))));
  s.allOf?.forEach((x, i) =>
    errs.push(...nested(x, skipFirstAllOfAnyOf && i === 0, lvl, index(child(path, 'allOf'), i))),
  );
  s.oneOf?.forEach((x, i) => errs.push(...nested(x, false, lvl, index(child(path, 'oneOf'), i))));
  if (s.not) errs.push(...nested(s.not, false, lvl, child(path, 'not')));
  if (s.pattern) {
    const compiled = compileGoPattern(s.pattern);
    if ('error' in compiled) {
      const detail = `must be a valid regular expression, but isn't: ${compiled.error}`;
      errs.push(fieldErr.invalid(child(path, 'pattern'), s.pattern, detail));
    }
  }
  return errs;
}

/** Inside a value validation, nothing may add structure or change what is stored. */
function nested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, lvl, path);
  const items = itemsOf(v);
  if (items) errs.push(...nested(items, false, lvl, child(path, 'items')));
  for (const [k, p] of Object.entries(v.properties ?? {}))
    errs.push(...nested(p, false, 'field', props(path, k)));
  const forbid = (name: string, detail: string): void => {
    errs.push(fieldErr.forbidden(child(path, name), `${detail} to be structural`));
  };
  if (v.type) forbid('type', 'must be empty');
  if (additionalOf(v) !== undefined) forbid('additionalProperties', 'must be undefined');
  if (hasDefault(v)) forbid('default', 'must be undefined');
  if (v.title) forbid('title', 'must be empty');
  if (v.description) forbid('description', 'must be empty');
  if (v.nullable) forbid('nullable', 'must be false');
  if (v.externalDocs) forbid('externalDocs', 'must be undefined');
  if (v['x-kubernetes-preserve-unknown-fields'])
    forbid('x-kubernetes-preserve-unknown-fields', 'must be false');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false');
  if (v['x-kubernetes-list-map-keys']?.length) forbid('x-kubernetes-list-map-keys', 'must be empty');
  if (v['x-kubernetes-list-type'] != null) forbid('x-kubernetes-list-type', 'must be undefined');
  if (v['x-kubernetes-map-type'] != null) forbid('x-kubernetes-map-type', 'must be undefined');
  if (v['x-kubernetes-validations']?.length) forbid('x-kubernetes-validations', 'must be empty');
  if (v.properties && Object.hasOwn(v.properties, 'metadata')) {
    errs.push(fieldErr.forbidden(props(path, 'metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

function metadataInvariants(
  m: JSONSchemaProps,
  checkMetadata: boolean,
  lvl: Level,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && m.type !== 'object')
    errs.push(fieldErr.invalid(child(path, 'type'), m.type ?? '', 'must be object'));
  if (lvl !== 'root') return errs;
  const restrictsMore = Object.entries(m).some(([k, v]) => {
    if (k === 'properties') return Object.keys(v ?? {}).some((p) => p !== 'name' && p !== 'generateName');
    // type and default are checked elsewhere; example and externalDocs are not kept by upstream.
    return !['type', 'default', 'example', 'externalDocs'].includes(k) && !isUnset(k, v);
  });
  if (restrictsMore) {
    const detail =
      'must not specify anything other than name and generateName, but metadata is implicitly specified';
    errs.push(fieldErr.forbidden(path, detail));
  }
  return errs;
}

const EMPTY_TYPE: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

function invariants(s: JSONSchemaProps, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = itemsOf(s);
  const type = s.type ?? '';
  const embedded = !!s['x-kubernetes-embedded-resource'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const intOrString = !!s['x-kubernetes-int-or-string'];
  if (type === 'array' && !items) errs.push(fieldErr.required(child(path, 'items'), 'must be specified'));
  if (items) errs.push(...invariants(items, 'item', child(path, 'items')));
  for (const [k, p] of Object.entries(s.properties ?? {}))
    errs.push(...invariants(p, 'field', props(path, k)));
  const ap = additionalOf(s);
  if (ap !== undefined && lvl === 'root') {
    errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
  }
  if (ap) errs.push(...invariants(ap, 'field', child(path, 'additionalProperties')));
  if (intOrString && preserve) {
    const detail = 'must be false if x-kubernetes-int-or-string is true';
    errs.push(fieldErr.invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, detail));
  }
  if (intOrString && embedded) {
    const detail = 'must be false if x-kubernetes-int-or-string is true';
    errs.push(fieldErr.invalid(child(path, 'x-kubernetes-embedded-resource'), true, detail));
  }
  const skipFirstAllOfAnyOf = !!s.allOf?.length && isIntOrStringAnyOf(s.allOf[0]);
  errs.push(...valueValidation(s, isIntOrStringAnyOf(s), skipFirstAllOfAnyOf, lvl, path));
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(
      type
        ? fieldErr.invalid(child(path, 'type'), type, detail)
        : fieldErr.required(child(path, 'type'), detail),
    );
  } else if (!type && !intOrString && !preserve) {
    errs.push(fieldErr.required(child(path, 'type'), EMPTY_TYPE[lvl]));
  }
  if (embedded && ap !== undefined) {
    const detail = 'must not be used if x-kubernetes-embedded-resource is set';
    errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), detail));
  }
  if (lvl === 'root' && type && type !== 'object')
    errs.push(fieldErr.invalid(child(path, 'type'), type, 'must be object at the root'));
  const checkMetadata = lvl === 'root' || embedded;
  for (const meta of ['kind', 'apiVersion']) {
    const p = s.properties?.[meta];
    if (checkMetadata && p && Object.hasOwn(s.properties ?? {}, meta) && p.type !== 'string') {
      errs.push(fieldErr.invalid(child(props(path, meta), 'type'), p.type ?? '', 'must be string'));
    }
  }
  const metadata =
    s.properties && Object.hasOwn(s.properties, 'metadata') ? s.properties.metadata : undefined;
  if (metadata) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, props(path, 'metadata')));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    const detail =
      'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields';
    errs.push(fieldErr.required(child(path, 'properties'), detail));
  }
  return errs;
}

/** Every field or array a value validation names must also be specified by the structure. */
function completeness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    v[junctor]?.forEach((x, i) =>
      errs.push(...nestedCompleteness(x, s, sPath, index(child(vPath, junctor), i))),
    );
  }
  return errs;
}

function nestedCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
): FieldError[] {
  if (!s) return [fieldErr.required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  const items = itemsOf(v);
  if (items)
    errs.push(...nestedCompleteness(items, itemsOf(s), child(sPath, 'items'), child(vPath, 'items')));
  for (const [k, vField] of Object.entries(v.properties ?? {})) {
    const sField = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (!sField) {
      errs.push(fieldErr.required(props(sPath, k), `because it is defined in ${props(vPath, k)}`));
    } else {
      errs.push(...nestedCompleteness(vField, sField, props(sPath, k), props(vPath, k)));
    }
  }
  return errs;
}

export function validateStructural(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs = [...invariants(schema, 'root', path), ...completeness(schema, schema, path, path)];
  const text = (e: FieldError): string => `${e.field}: ${e.message}`;
  return errs.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** Why upstream cannot even build a structural schema (NewStructural), in its check order. */
export function structuralBuildError(s: JSONSchemaProps): string | undefined {
  if (s.id) return "OpenAPIV3Schema 'id' is not supported";
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported";
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported";
  if (Object.keys(s.patternProperties ?? {}).length)
    return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (Object.keys(s.dependencies ?? {}).length) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems != null) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (Object.keys(s.definitions ?? {}).length) return "OpenAPIV3Schema 'definitions' is not supported";
  const nestedSchemas = [s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), additionalOf(s)];
  for (const x of nestedSchemas) {
    const err = x ? structuralBuildError(x) : undefined;
    if (err) return err;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  }
  if (Array.isArray(s.items) && s.items.length > 0)
    return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  for (const x of [itemsOf(s), ...Object.values(s.properties ?? {})]) {
    const err = x ? structuralBuildError(x) : undefined;
    if (err) return err;
  }
  return undefined;
}
