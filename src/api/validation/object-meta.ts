/** ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation/objectmeta.go. */
import { fieldErr, type FieldError } from '../errors.js';
import { isPlainObject, parseApiVersion, type ObjectMeta } from '../meta.js';
import { validateLabels } from '../labels.js';
import {
  FIELD_IMMUTABLE,
  NEGATIVE_ERROR,
  isDNS1123Label,
  isQualifiedName,
  nameIsDNSSubdomain,
  type NameValidator,
} from './names.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Defaults to DNS-1123 subdomain. */
  nameValidator?: NameValidator;
  /** Kind, for messages that name it (unused by the generic checks, kept for callers). */
  kind?: string;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainObject(annotations))
    return [fieldErr.typeInvalid(path, annotations, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, msg));
    if (typeof v !== 'string') {
      errs.push(fieldErr.typeInvalid(`${path}.${k}`, v, 'must be a string'));
      continue;
    }
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErr.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [fieldErr.typeInvalid(path, refs, 'must be a list')];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs as unknown[]) {
    if (!isPlainObject(ref)) {
      errs.push(fieldErr.typeInvalid(path, ref, 'must be an object'));
      continue;
    }
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    const name = typeof ref.name === 'string' ? ref.name : '';
    const uid = typeof ref.uid === 'string' ? ref.uid : '';
    if (parseApiVersion(apiVersion).version === '') {
      errs.push(fieldErr.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    }
    if (kind === '') errs.push(fieldErr.invalid(`${path}.kind`, kind, 'kind must not be empty'));
    if (name === '') errs.push(fieldErr.invalid(`${path}.name`, name, 'name must not be empty'));
    if (uid === '') errs.push(fieldErr.invalid(`${path}.uid`, uid, 'uid must not be empty'));
    if (ref.controller === true) {
      const current = `${kind}/${name}`;
      if (firstController !== '') {
        errs.push(
          fieldErr.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers))
    return [fieldErr.typeInvalid(path, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers as unknown[]) {
    const s = typeof f === 'string' ? f : String(f);
    for (const msg of isQualifiedName(s)) errs.push(fieldErr.invalid(path, s, msg));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(
      fieldErr.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'),
    );
  }
  return errs;
}

function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldErr.invalid(path, value, NEGATIVE_ERROR)] : [];
}

/**
 * ValidateObjectMeta. Expects name generation (from generateName) to have happened already, as the
 * API server does before validating.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions): FieldError[] {
  const m: ObjectMeta = meta ?? {};
  const nameFn = opts.nameValidator ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) {
      errs.push(fieldErr.invalid('metadata.generateName', m.generateName, msg));
    }
  }
  if (!m.name) {
    errs.push(fieldErr.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(fieldErr.invalid('metadata.name', m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(fieldErr.required('metadata.namespace'));
    else
      for (const msg of isDNS1123Label(m.namespace))
        errs.push(fieldErr.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErr.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, 'metadata.generation'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** A single immutable field: `<path>: Invalid value: <new>: field is immutable`. */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  return sameValue(newValue, oldValue) ? [] : [fieldErr.invalid(path, newValue ?? null, FIELD_IMMUTABLE)];
}

/**
 * ValidateObjectMetaUpdate: identity fields are immutable, generation may not go down, and an object
 * being deleted takes no new finalizers. Labels, annotations etc. of the new object are checked too.
 * (resourceVersion presence is the handler's business: it answers 409/422 before validation.)
 */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
): FieldError[] {
  const m: ObjectMeta = meta ?? {};
  const o: ObjectMeta = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      const list = [...new Set(added)].sort().map((f) => JSON.stringify(f));
      errs.push(
        fieldErr.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list.join(', ')}}`,
        ),
      );
    }
  }
  if (typeof m.generation === 'number' && typeof o.generation === 'number' && m.generation < o.generation) {
    errs.push(fieldErr.invalid('metadata.generation', m.generation, 'must not be decremented'));
  }
  errs.push(...validateImmutableField(m.name, o.name, 'metadata.name'));
  errs.push(...validateImmutableField(m.namespace, o.namespace, 'metadata.namespace'));
  errs.push(...validateImmutableField(m.uid, o.uid, 'metadata.uid'));
  errs.push(
    ...validateImmutableField(m.creationTimestamp, o.creationTimestamp, 'metadata.creationTimestamp'),
  );
  errs.push(
    ...validateImmutableField(m.deletionTimestamp, o.deletionTimestamp, 'metadata.deletionTimestamp'),
  );
  errs.push(
    ...validateImmutableField(
      m.deletionGracePeriodSeconds,
      o.deletionGracePeriodSeconds,
      'metadata.deletionGracePeriodSeconds',
    ),
  );
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  return errs;
}

/**
 * What the API server does to metadata before validating an update (rest.BeforeUpdate): keep the old uid
 * when none is sent, and never let a client change creation/deletion timestamps or the grace period.
 */
export function carryOverSystemMetadata(meta: ObjectMeta, old: ObjectMeta | undefined): void {
  if (!old) return;
  if (!meta.uid && old.uid) meta.uid = old.uid;
  if (old.creationTimestamp) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
}
