/**
 * OpenAPI v3 value validation as k8s.io/kube-openapi's validate.SchemaValidator runs it for custom
 * resources: the same checks in the same order, the same messages (`spec.replicas in body must be of
 * type integer: "string"`), and the same "match count" that picks which failing anyOf/oneOf branch
 * is reported. Errors are converted to field errors by `toFieldErrors`, as apiextensions does.
 */
import { deepEqual, isPlainObject } from '../../../api/meta.js';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { effectiveFormat, isStringFormat, matchesFormat } from './formats.js';
import { goFloat, goList, goQuote } from './go-format.js';
import { compileGoPattern } from './regex.js';
import { itemsOf, type JSONSchemaProps } from './types.js';

/** The kube-openapi error code, which decides the field error an error becomes. */
type Code = 'type' | 'required' | 'enum' | 'tooLong' | 'tooMany' | 'invalid' | 'composite';

interface SchemaError {
  code: Code;
  /** The value path kube-openapi names (`spec.replicas`; may start with `.` at the root). */
  name: string;
  message: string;
  value?: unknown;
  max?: number;
  values?: unknown[];
}

class Result {
  readonly errors: SchemaError[] = [];
  private readonly messages = new Set<string>();
  matchCount = 0;

  get valid(): boolean {
    return this.errors.length === 0;
  }

  /** Like kube-openapi, an error whose message was already reported is dropped (a set: lists can be long). */
  add(err: SchemaError): void {
    if (this.messages.has(err.message)) return;
    this.messages.add(err.message);
    this.errors.push(err);
  }

  merge(other: Result | undefined): void {
    if (!other) return;
    for (const e of other.errors) this.add(e);
    this.matchCount += other.matchCount;
  }
}

function fail(err: SchemaError): Result {
  const r = new Result();
  r.add(err);
  return r;
}

type Kind = 'null' | 'string' | 'int' | 'float' | 'bool' | 'array' | 'object';

/** Upstream decodes whole JSON numbers that fit an int64 as int64, the rest as float64. */
function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int' : 'float';
  return Array.isArray(v) ? 'array' : 'object';
}

/** The JSON type and format kube-openapi infers from a decoded value. */
const INFERRED: Record<Kind, [string, string]> = {
  null: ['null', ''],
  string: ['string', ''],
  int: ['integer', 'int64'],
  float: ['number', 'float64'],
  bool: ['boolean', ''],
  array: ['array', ''],
  object: ['object', ''],
};

function typesOf(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

function invalidType(name: string, typeName: string, value: string): SchemaError {
  return {
    code: 'type',
    name,
    message: `${name} in body must be of type ${typeName}: ${goQuote(value)}`,
    value,
  };
}

function typeCheck(s: JSONSchemaProps, data: unknown, path: string, kind: Kind): Result {
  const types = typesOf(s);
  const format = effectiveFormat(s);
  if (kind === 'null') {
    if (types.length > 0 && !types.includes('null') && !s.nullable) {
      return fail(invalidType(path, types.join(','), 'null'));
    }
  } else {
    const [schType, inferred] = INFERRED[kind];
    const intAsNumber = schType === 'integer' && types.includes('number');
    const stringOrSlice = kind === 'string' || kind === 'array';
    if (!stringOrSlice && format && !(types.includes(schType) || inferred === format || intAsNumber)) {
      return fail(invalidType(path, format, inferred));
    }
    // A formatted non-numeric type accepts any string, and (an upstream quirk) any array.
    const numeric = types.includes('number') || types.includes('integer');
    if (!(!numeric && format && stringOrSlice) && !(types.includes(schType) || intAsNumber)) {
      return fail(invalidType(path, types.join(','), schType));
    }
  }
  const ok = new Result();
  ok.matchCount = 1;
  return ok;
}

function composite(message: string): SchemaError {
  return { code: 'composite', name: '', message };
}

function junctors(s: JSONSchemaProps, data: unknown, path: string): Result {
  const main = new Result();
  const where = goQuote(path);
  if (s.anyOf?.length) {
    let best: Result | undefined;
    let first: Result | undefined;
    for (const sub of s.anyOf) {
      const r = validateSchema(sub, data, path);
      if (r.valid) {
        first = r;
        best = undefined;
        break;
      }
      if (!best || r.matchCount > best.matchCount) best = r;
    }
    if (!first) main.add(composite(`${where} must validate at least one schema (anyOf)`));
    main.merge(best ?? first);
  }
  if (s.oneOf?.length) {
    let best: Result | undefined;
    let first: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const r = validateSchema(sub, data, path);
      if (r.valid) {
        validated++;
        best = undefined;
        first ??= r;
      } else if (validated === 0 && (!best || r.matchCount > best.matchCount)) {
        best = r;
      }
    }
    if (validated !== 1) {
      const detail = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.add(composite(`${where} must validate one and only one schema (oneOf). ${detail}`));
      main.merge(best);
    } else {
      main.merge(first);
    }
  }
  if (s.allOf?.length) {
    let validated = 0;
    for (const sub of s.allOf) {
      const r = validateSchema(sub, data, path);
      if (r.valid) validated++;
      main.merge(r);
    }
    if (validated !== s.allOf.length) {
      const detail = validated === 0 ? '. None validated' : '';
      main.add(composite(`${where} must validate all the schemas (allOf)${detail}`));
    }
  }
  if (s.not && validateSchema(s.not, data, path).valid) {
    main.add(composite(`${where} must not validate the schema (not)`));
  }
  main.matchCount++;
  return main;
}

function stringCheck(s: JSONSchemaProps, data: string, path: string): Result | undefined {
  const length = [...data].length;
  if (s.maxLength != null && length > s.maxLength) {
    const message = `${path} in body should be at most ${s.maxLength} chars long`;
    return fail({ code: 'tooLong', name: path, message, value: data, max: s.maxLength });
  }
  if (s.minLength != null && length < s.minLength) {
    const message = `${path} in body should be at least ${s.minLength} chars long`;
    return fail({ code: 'invalid', name: path, message, value: data });
  }
  if (s.pattern) {
    const compiled = compileGoPattern(s.pattern);
    if ('error' in compiled || !compiled.test(data)) {
      const shown =
        'error' in compiled ? `${s.pattern}, but pattern is invalid: ${compiled.error}` : s.pattern;
      return fail({
        code: 'invalid',
        name: path,
        message: `${path} in body should match '${shown}'`,
        value: data,
      });
    }
  }
  return undefined;
}

/** go-openapi's IsFloat64AJSONInteger, truncation and all. */
function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53) return false;
  if (Number.isInteger(f)) return true;
  const g = Math.trunc(f);
  if (g === 0) return false;
  return Math.abs(f - g) / (Math.abs(f) + Math.abs(g)) < 1e-9;
}

function numberCheck(s: JSONSchemaProps, data: number, path: string, isInt: boolean): Result {
  const r = new Result();
  const bad = (message: string, value: unknown = data): void =>
    r.add({ code: 'invalid', name: path, message, value });
  // Integers are checked against bounds truncated to int64, as kube-openapi does.
  const bound = (b: number): number => (isInt ? Math.trunc(b) : b);
  const show = (b: number): string => (isInt ? String(Math.trunc(b)) : goFloat(b));
  const factor = s.multipleOf;
  if (factor != null) {
    const asInt = isInt && Math.trunc(factor) !== 0;
    if (factor < 0) {
      bad(`factor MultipleOf declared for ${path} must be positive: ${show(factor)}`, factor);
    } else if (
      asInt
        ? data % Math.trunc(factor) !== 0
        : !isJSONInteger(factor < 1 ? (1 / factor) * data : data / factor)
    ) {
      bad(`${path} in body should be a multiple of ${asInt ? String(Math.trunc(factor)) : goFloat(factor)}`);
    }
  }
  if (s.minimum != null) {
    const min = bound(s.minimum);
    if (s.exclusiveMinimum ? data <= min : data < min) {
      bad(
        `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${show(s.minimum)}`,
      );
    }
  }
  if (s.maximum != null) {
    const max = bound(s.maximum);
    if (s.exclusiveMaximum ? data >= max : data > max) {
      bad(
        `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${show(s.maximum)}`,
      );
    }
  }
  r.matchCount = 1;
  return r;
}

function sliceCheck(s: JSONSchemaProps, data: unknown[], path: string): Result {
  const r = new Result();
  const items = itemsOf(s);
  if (items) data.forEach((v, i) => r.merge(validateSchema(items, v, `${path}[${i}]`)));
  const size = data.length;
  if (s.minItems != null && size < s.minItems) {
    const message = `${path} in body should have at least ${s.minItems} items`;
    r.add({ code: 'invalid', name: path, message, value: size });
  }
  if (s.maxItems != null && size > s.maxItems) {
    const message = `${path} in body should have at most ${s.maxItems} items`;
    r.add({ code: 'tooMany', name: path, message, value: size, max: s.maxItems });
  }
  if (s.uniqueItems && data.some((v, i) => data.slice(0, i).some((u) => deepEqual(u, v)))) {
    r.add({ code: 'invalid', name: path, message: `${path} in body shouldn't contain duplicates` });
  }
  r.matchCount++;
  return r;
}

function enumCheck(s: JSONSchemaProps, data: unknown, path: string): Result | undefined {
  const values = s.enum;
  if (!values?.length) return undefined;
  // A null value never matches, not even a null enum member.
  if (data !== null && data !== undefined && values.some((v) => v !== null && deepEqual(v, data))) {
    return undefined;
  }
  const message = `${path} in body should be one of ${goList(values)}`;
  return fail({ code: 'enum', name: path, message, value: data ?? null, values });
}

function objectCheck(s: JSONSchemaProps, data: Record<string, unknown>, path: string): Result {
  const has = (k: string): boolean => Object.hasOwn(data, k) && data[k] !== undefined;
  const keys = Object.keys(data).filter(has);
  const count = keys.length;
  // Property-count failures stop the object's validation, fields included.
  if (s.minProperties != null && count < s.minProperties) {
    const message = `${path} in body should have at least ${s.minProperties} properties`;
    return fail({ code: 'invalid', name: path, message, value: count });
  }
  if (s.maxProperties != null && count > s.maxProperties) {
    const message = `${path} in body should have at most ${s.maxProperties} properties`;
    return fail({ code: 'tooMany', name: path, message, value: count, max: s.maxProperties });
  }
  const r = new Result();
  const props = s.properties ?? {};
  const declared = (k: string): boolean => Object.hasOwn(props, k);
  const ap = s.additionalProperties;
  for (const k of keys) {
    if (declared(k)) continue;
    if (ap === false) {
      r.add({
        code: 'invalid',
        name: path,
        message: `${path}.${k} in body is a forbidden property`,
        value: k,
      });
    } else if (typeof ap === 'object' && ap !== null) {
      r.merge(validateSchema(ap, data[k], `${path}.${k}`));
    }
  }
  for (const [name, sub] of Object.entries(props)) {
    if (has(name)) r.merge(validateSchema(sub, data[name], path ? `${path}.${name}` : name));
  }
  for (const k of s.required ?? []) {
    if (!has(k)) {
      r.add({ code: 'required', name: `${path}.${k}`, message: `${path}.${k} in body is required` });
    }
  }
  return r;
}

/** One value against one schema node; `path` names the value (`''` at the root). */
function validateSchema(s: JSONSchemaProps, data: unknown, path: string): Result {
  const r = new Result();
  const kind = kindOf(data);
  if (kind === 'null') {
    r.merge(typeCheck(s, data, path, kind));
    r.merge(enumCheck(s, data, path));
    return r;
  }
  const step = (res: Result | undefined): void => {
    r.merge(res);
    r.matchCount++;
  };
  const format = effectiveFormat(s);
  if (typesOf(s).length > 0 || format) step(typeCheck(s, data, path, kind));
  step(junctors(s, data, path));
  if (typeof data === 'string') {
    step(stringCheck(s, data, path));
    if (format && isStringFormat(format)) {
      step(matchesFormat(format, data) ? undefined : fail(invalidType(path, format, data)));
    }
  }
  if (typeof data === 'number') step(numberCheck(s, data, path, kind === 'int'));
  if (Array.isArray(data)) step(sliceCheck(s, data, path));
  step(enumCheck(s, data, path));
  if (isPlainObject(data)) step(objectCheck(s, data, path));
  r.matchCount++;
  return r;
}

/**
 * kubeOpenAPIResultToFieldErrors: `base` is the field path the value sits at (undefined at a custom
 * resource's root, where upstream's nil path renders as `<nil>` for errors naming no field).
 */
function toFieldErrors(errors: SchemaError[], base: string | undefined): FieldError[] {
  const root = base ?? '<nil>';
  return errors.map((e) => {
    if (e.code === 'composite') return fieldErr.invalid(root, '', e.message);
    const name = e.name.replace(/^\./, '');
    const field = name && name !== '.' ? (base ? `${base}.${name}` : name) : root;
    const value = e.value === undefined || e.value === null ? '' : e.value;
    switch (e.code) {
      case 'required':
        return fieldErr.required(field);
      case 'enum':
        return fieldErr.notSupported(
          field,
          e.value ?? null,
          (e.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        );
      case 'tooLong':
        return fieldErr.tooLong(field, e.max ?? -1);
      case 'tooMany':
        return fieldErr.tooMany(field, typeof e.value === 'number' ? e.value : -1, e.max ?? -1);
      case 'type':
        return fieldErr.typeInvalid(field, value, e.message);
      default:
        return fieldErr.invalid(field, value, e.message);
    }
  });
}

/** OpenAPI errors of `value` against `schema`, as field errors under `base` (see toFieldErrors). */
export function openAPIErrors(schema: JSONSchemaProps, value: unknown, base?: string): FieldError[] {
  return toFieldErrors(validateSchema(schema, value, '').errors, base);
}
