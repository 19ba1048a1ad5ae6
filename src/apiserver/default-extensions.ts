import { parseFieldSelector } from '../api/fields.js';
import { parseLabelSelector } from '../api/labels.js';
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  type NameValidator,
} from '../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/object-meta.js';
import type { ApiExtensions, OpenApiDocs } from './extensions.js';
import { decodeAgainstSchema, strictDecodingError, strictFieldErrors } from './openapi/index.js';
import { apply, managedFieldsAfterUpdate } from './patch/apply.js';
import { applyPatch } from './patch/index.js';
import { resourceKey } from './registry/index.js';
import type { ResourceDef } from './registry/types.js';

/** Name rules that differ from the DNS-1123 subdomain default (upstream ValidateXName functions). */
const BUILTIN_NAME_VALIDATORS: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel,
  services: nameIsDNS1035Label,
};

export function createDefaultExtensions(
  opts: { nameValidators?: Record<string, NameValidator>; openapi?: OpenApiDocs } = {},
): ApiExtensions {
  const validators = { ...BUILTIN_NAME_VALIDATORS, ...(opts.nameValidators ?? {}) };
  const ext: ApiExtensions = {
    applyPatch,
    decodeProtobuf: async (body) => (await import('./protobuf/index.js')).decodeProtobufObject(body),
    serverSideApply: (live, applied, o) => apply(live, applied, o),
    updateManagedFields: (old, updated, o) => managedFieldsAfterUpdate(old, updated, o),
    decodeBody: (body, gvk, mode) => decodeAgainstSchema(body, gvk, mode),
    strictFieldErrors: (body, gvk) => strictFieldErrors(body, gvk),
    strictDecodingError: (messages, gvk) => strictDecodingError(messages, gvk),
    validateObjectMeta: (obj, def: ResourceDef) =>
      validateObjectMeta(obj.metadata, {
        namespaced: def.namespaced,
        nameValidator: validators[resourceKey(def)] ?? nameIsDNSSubdomain,
        kind: def.kind,
      }),
    validateObjectMetaUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    parseLabelSelector: (s) => parseLabelSelector(s),
    parseFieldSelector: (s) => {
      const sel = parseFieldSelector(s);
      return {
        matches: (fields: Record<string, string>) => sel.matches(fields),
        requiresExactMatch: (f: string) => sel.requiresExactMatch(f),
        fields: sel.requirements.map((r) => r.field),
        empty: sel.empty,
      };
    },
  };
  if (opts.openapi) ext.openapi = opts.openapi;
  return ext;
}
