/** RFC 7386 JSON merge patch (application/merge-patch+json): null deletes, objects merge, anything else replaces. */
import { isPlainObject, cloneJson } from '../../api/meta.js';

/** Returns the patched value; neither argument is mutated. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return merge(cloneJson(target), patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result = isPlainObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = merge(result[key], value);
  }
  return result;
}
