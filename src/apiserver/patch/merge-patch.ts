/** RFC 7386 JSON merge patch (application/merge-patch+json): null deletes, objects merge, anything else replaces. */
import { isPlainObject } from '../../api/meta.js';

/** Returns the patched value; neither argument is mutated. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return merge(structuredClone(target), patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result = isPlainObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = merge(result[key], value);
  }
  return result;
}
