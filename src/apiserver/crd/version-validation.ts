/** Per-version parts of CRD validation: deprecation warnings, subresources, selectable fields, storedVersions. */
import { fieldErr, type FieldError } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import { goInvalid, goStringSlice } from './go-print.js';
import type { InternalSpec } from './internal-view.js';
import { validateSimpleJsonPath } from './printer-columns.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const MAX_SELECTABLE_FIELDS = 8;
const MAX_WARNING_BYTES = 256;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** validateDeprecationWarning: the messages for one version's warning (index = byte offset, as Go's). */
export function validateDeprecationWarning(deprecated: boolean, warning: unknown): string[] {
  const set = warning !== undefined && warning !== null;
  if (!deprecated && set) return ['can only be set for deprecated versions'];
  if (!set) return [];
  const text = str(warning);
  const errs: string[] = [];
  if (Buffer.byteLength(text) > MAX_WARNING_BYTES) errs.push('must be <= 256 characters long');
  if (text.length === 0) errs.push('must not be an empty string');
  let offset = 0;
  for (const ch of text) {
    if (!PRINTABLE.test(ch)) {
      errs.push(
        `must only contain printable UTF-8 characters; non-printable character found at index ${offset}`,
      );
      break;
    }
    offset += Buffer.byteLength(ch);
  }
  return errs;
}

/** ValidateCustomResourceDefinitionSubresources: the scale subresource's paths. */
export function validateSubresources(subresources: Obj, path: string): FieldError[] {
  const scale = rec(subresources.scale);
  if (!scale) return [];
  const errs: FieldError[] = [];
  for (const [key, prefix] of [
    ['specReplicasPath', '.spec'],
    ['statusReplicasPath', '.status'],
  ] as const) {
    const field = `${path}.scale.${key}`;
    const value = str(scale[key]);
    if (value === '') {
      errs.push(fieldErr.required(field));
      continue;
    }
    const simple = validateSimpleJsonPath(value, field);
    if (simple.length > 0) errs.push(...simple);
    else if (!value.startsWith(`${prefix}.`)) {
      errs.push(fieldErr.invalid(field, value, `should be a json path under ${prefix}`));
    }
  }
  const selector = str(scale.labelSelectorPath);
  if (selector !== '') {
    const field = `${path}.scale.labelSelectorPath`;
    const simple = validateSimpleJsonPath(selector, field);
    if (simple.length > 0) errs.push(...simple);
    else if (!selector.startsWith('.spec.') && !selector.startsWith('.status.')) {
      errs.push(fieldErr.invalid(field, selector, 'should be a json path under either .spec or .status'));
    }
  }
  return errs;
}

/**
 * The schema-independent part of ValidateCustomResourceSelectableFields: each needs a jsonPath, none twice,
 * at most 8. Whether a path names a string, boolean or integer field of the schema is not checked here.
 */
export function validateSelectableFields(fields: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const jsonPath = str(rec(f)?.jsonPath);
    const field = `${path}[${i}].jsonPath`;
    if (jsonPath === '') errs.push(fieldErr.required(field));
    else if (unique.has(jsonPath)) errs.push(fieldErr.duplicate(field, jsonPath));
    else unique.add(jsonPath);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS)
    errs.push(fieldErr.tooMany(path, unique.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies'];
const SCHEMA_ONES = ['not', 'additionalProperties', 'additionalItems'];

/** Whether any schema of the CRD declares a default (upstream's specHasDefaults). */
export function schemaHasDefault(spec: InternalSpec): boolean {
  const schemas = [spec.validation, ...(spec.versions ?? []).map((v) => v.schema)];
  return schemas.some((s) => hasDefault(rec(s)?.openAPIV3Schema));
}

function hasDefault(value: unknown): boolean {
  const s = rec(value);
  if (!s) return false;
  if (s.default !== undefined && s.default !== null) return true;
  const items = Array.isArray(s.items) ? (s.items as unknown[]) : [s.items];
  const nested = [
    ...items,
    ...SCHEMA_ONES.map((k) => s[k]),
    ...SCHEMA_LISTS.flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]) : [])),
    ...SCHEMA_MAPS.flatMap((k) => Object.values(rec(s[k]) ?? {})),
  ];
  return nested.some(hasDefault);
}

/** status.storedVersions must hold the storage version, and name only versions still in spec.versions. */
export function validateStoredVersions(value: unknown, spec: Obj): FieldError[] {
  const path = 'status.storedVersions';
  const stored = Array.isArray(value) ? (value as unknown[]).map(str) : [];
  if (stored.length === 0) {
    return [goInvalid(path, goStringSlice(value), 'must have at least one stored version')];
  }
  const errs: FieldError[] = [];
  const remaining = new Map<string, number>();
  stored.forEach((v, i) => remaining.set(v, i));
  for (const v of Array.isArray(spec.versions) ? (spec.versions as unknown[]).map(rec) : []) {
    const name = str(v?.name);
    if (v?.storage === true && !remaining.has(name)) {
      errs.push(goInvalid(path, goStringSlice(stored), `must have the storage version ${name}`));
    }
    remaining.delete(name);
  }
  for (const [v, i] of [...remaining].sort((a, b) => a[1] - b[1])) {
    errs.push(
      fieldErr.invalid(
        `${path}[${i}]`,
        v,
        `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
      ),
    );
  }
  return errs;
}
