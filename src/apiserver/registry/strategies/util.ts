/** Small helpers shared by the strategies: loose object access, field errors, Go-style value rendering. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isPlainObject, cloneJson } from '../../../api/meta.js';
import { NEGATIVE_ERROR } from '../../../api/validation/names.js';

/** Objects are plain JSON; strategies read them loosely and validate what they touch. */
export type Obj = Record<string, any>;

export function obj(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}

export function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** Get or create a child object (for defaulting). */
export function child(parent: Obj, key: string): Obj {
  const existing = obj(parent[key]);
  if (existing) return existing;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

export function setDefault(target: Obj, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null || target[key] === '') target[key] = value;
}

export { deepEqual } from '../../../api/meta.js';

export function clone<T>(v: T): T {
  return v === undefined ? v : cloneJson(v);
}

/** Set: neither absent nor null (a Go pointer that is not nil). */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldErr.invalid(path, value, NEGATIVE_ERROR)] : [];
}

/** Go's %#v of map[string]string, as upstream prints label maps in field errors. */
export function goStringMap(m: unknown): string {
  const o = obj(m);
  if (!o) return 'map[string]string(nil)';
  const parts = Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(o[k]))}`);
  return `map[string]string{${parts.join(', ')}}`;
}

/** An Invalid error whose value is already rendered (Go Stringers and maps print unquoted). */
export function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` };
}

/**
 * `Not found: "x"` (field.NotFound). The shared CauseType union lacks FieldValueNotFound, so the type is
 * asserted here; see the report on errors.ts.
 */
export function notFoundErr(field: string, value: unknown): FieldError {
  return fieldErr.notFound(field, value);
}

export const TEMPLATE_SELECTOR_MISMATCH = '`selector` does not match template `labels`';
