/**
 * Checks of `x-kubernetes-embedded-resource` objects (upstream's schema/objectmeta Validate): they
 * need a string apiVersion and kind, and their metadata must be valid ObjectMeta.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isPlainObject } from '../../../api/meta.js';
import { isDNS1035Label, validatePathSegmentName } from '../../../api/validation/names.js';
import { validateObjectMeta } from '../../../api/validation/object-meta.js';
import { additionalOf, fieldPath, itemsOf, type JSONSchemaProps } from './types.js';

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function validateEmbedded(path: string, x: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const at = (name: string): string => fieldPath.child(path, name);
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(fieldErr.required(at('apiVersion')));
  if (!Object.hasOwn(x, 'kind')) errs.push(fieldErr.required(at('kind')));
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion' || k === 'kind') {
      if (typeof v !== 'string') errs.push(fieldErr.invalid(at(k), v, 'must be a string'));
      else if (v === '') errs.push(fieldErr.required(at(k)));
      else if (k === 'apiVersion' && v !== '/' && v.split('/').length > 2) {
        errs.push(fieldErr.invalid(at(k), v, `unexpected GroupVersion string: ${v}`));
      } else if (k === 'kind') {
        const msgs = isDNS1035Label(v.toLowerCase());
        if (msgs.length > 0) {
          errs.push(
            fieldErr.invalid(at(k), v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`),
          );
        }
      }
    } else if (k === 'metadata' && v !== null) {
      if (!isPlainObject(v)) {
        const detail = `json: cannot unmarshal ${jsonTypeName(v)} into Go value of type v1.ObjectMeta`;
        errs.push(fieldErr.invalid(at(k), v, detail));
        continue;
      }
      const meta = { ...v } as Record<string, unknown>;
      for (const f of ['name', 'generateName', 'namespace']) if (typeof meta[f] !== 'string') delete meta[f];
      // Embedded objects need no name, so upstream validates with a stand-in one.
      if (!meta.name) meta.name = 'fakename';
      const namespaced = !!meta.namespace;
      const opts = { namespaced, nameValidator: validatePathSegmentName };
      for (const e of validateObjectMeta(meta, opts)) {
        errs.push({ ...e, field: `${at(k)}${e.field.slice('metadata'.length)}` });
      }
    }
  }
  return errs;
}

function walk(path: string, x: unknown, s: JSONSchemaProps | undefined, errs: FieldError[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    x.forEach((v, i) => walk(fieldPath.index(path, i), v, itemsOf(s), errs));
    return;
  }
  if (!isPlainObject(x)) return;
  if (s['x-kubernetes-embedded-resource']) errs.push(...validateEmbedded(path, x));
  const ap = additionalOf(s);
  for (const [k, v] of Object.entries(x)) {
    const prop = s.properties?.[k];
    if (prop && Object.hasOwn(s.properties ?? {}, k)) walk(fieldPath.child(path, k), v, prop, errs);
    else if (ap) walk(fieldPath.key(path, k), v, ap, errs);
  }
}

/** Errors of every embedded resource in `x`; `isResourceRoot` checks `x` itself as one too. */
export function validateEmbeddedResources(
  x: unknown,
  schema: JSONSchemaProps,
  path = '',
  isResourceRoot = false,
): FieldError[] {
  const errs: FieldError[] = [];
  const s = isResourceRoot ? { ...schema, 'x-kubernetes-embedded-resource': true } : schema;
  walk(path, x, s, errs);
  return errs;
}
