/** PATCH engines of the API server: pure functions from (live object, patch body) to the new object. */
import { yaml } from '../../util/yaml.js';
import { badRequest, fieldErr, invalid, unsupportedMediaType } from '../../api/errors.js';
import { isPlainObject, type GroupVersionKind, type KubeObject } from '../../api/meta.js';
import { apply } from './apply.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { isBuiltinKind, rootTypeFor } from './patch-meta.js';
import { strategicMerge } from './strategic-merge.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export const PATCH_CONTENT_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const;
export type PatchContentType = (typeof PATCH_CONTENT_TYPES)[number];

/**
 * The patch types a kind accepts, in upstream's order: no strategic merge for custom resources (their
 * schema-derived list metadata serves server-side apply only, as upstream).
 */
export function patchTypesFor(gvk: Pick<GroupVersionKind, 'group' | 'kind'>): PatchContentType[] {
  return isBuiltinKind(gvk)
    ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH]
    : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
}

/** `application/merge-patch+json; charset=utf-8` → `application/merge-patch+json`. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Decodes a raw body (string or bytes) as JSON, or YAML for apply patches; parsed values pass through. */
export function decodePatchBody(contentType: string, body: unknown): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  try {
    return mediaTypeOf(contentType) === APPLY_PATCH ? yaml().parse(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface PatchOptions {
  /** fieldManager; required for apply patches. */
  manager?: string;
  /** `force=true` on apply: take ownership of conflicting fields. */
  force?: boolean;
  now?: Date | string;
  subresource?: string;
}

/**
 * Applies a patch to `live` (never mutated) and returns the new object.
 * Errors: 415 for a media type the kind does not accept, 400 for a malformed patch, 409 for apply conflicts.
 * For `application/apply-patch+yaml` the result carries the new metadata.managedFields; for the other types
 * record ownership with `updateManagedFields` (apply.ts).
 */
export function applyPatch(
  contentType: string,
  live: KubeObject,
  patch: unknown,
  gvk: GroupVersionKind,
  opts: PatchOptions = {},
): KubeObject {
  const type = mediaTypeOf(contentType);
  const accepted = patchTypesFor(gvk);
  if (!(accepted as string[]).includes(type)) throw unsupportedMediaType(accepted);
  const body = decodePatchBody(type, patch);
  let result: unknown;
  if (type === JSON_PATCH) {
    result = applyJsonPatch(live, body);
  } else if (type === MERGE_PATCH) {
    if (!isPlainObject(body)) throw badRequest('invalid JSON document');
    result = applyMergePatch(live, body);
  } else if (type === STRATEGIC_MERGE_PATCH) {
    if (!isPlainObject(body)) throw badRequest('invalid JSON document');
    result = strategicMerge(live, body, rootTypeFor(gvk));
  } else {
    if (!opts.manager) {
      throw invalid('PatchOptions', 'meta.k8s.io', '', [
        fieldErr.required('fieldManager', 'is required for apply patch'),
      ]);
    }
    const applyOpts = { manager: opts.manager, force: opts.force ?? false, gvk, now: opts.now ?? new Date() };
    result = apply(
      live,
      body,
      opts.subresource ? { ...applyOpts, subresource: opts.subresource } : applyOpts,
    ).object;
  }
  if (!isPlainObject(result)) throw badRequest('the patched document is not a JSON object');
  return result;
}
