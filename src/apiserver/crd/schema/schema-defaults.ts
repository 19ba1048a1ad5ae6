/**
 * Checks of a structural schema's `default` values (upstream's defaulting.ValidateDefaults): each
 * must carry no field its schema would prune, and must validate against its own schema.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { cloneJson, deepEqual } from '../../../api/meta.js';
import { validateEmbeddedResources } from './embedded.js';
import { pruneWithSchema } from './prune.js';
import { fieldPath, hasDefault, itemsOf, type JSONSchemaProps } from './types.js';
import { openAPIErrors } from './value-validator.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function check(s: JSONSchemaProps, path: string, insideMeta: boolean, errs: FieldError[]): void {
  const embedded = !!s['x-kubernetes-embedded-resource'];
  const inMeta = insideMeta && !embedded;
  if (hasDefault(s)) {
    const at = fieldPath.child(path, 'default');
    const value = s.default;
    if (inMeta) {
      // Upstream also places the default in a surrounding object to check it as ObjectMeta; not done here.
      errs.push(...openAPIErrors(s, value, at));
    } else {
      const pruned = cloneJson(value);
      pruneWithSchema(pruned, s, embedded);
      if (!deepEqual(pruned, value)) errs.push(fieldErr.invalid(at, value, 'must not have unknown fields'));
      const metaErrs = validateEmbeddedResources(value, s, at, embedded);
      errs.push(...(metaErrs.length > 0 ? metaErrs : openAPIErrors(s, value, at)));
    }
  }
  // additionalProperties are not followed: defaults are forbidden below them.
  const items = itemsOf(s);
  if (items) check(items, fieldPath.child(path, 'items'), inMeta, errs);
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    const subInMeta = inMeta || (embedded && META_FIELDS.has(k));
    check(sub, fieldPath.key(fieldPath.child(path, 'properties'), k), subInMeta, errs);
  }
}

/** Default errors of a root schema at `path` (which upstream checks only once the schema is structural). */
export function validateDefaults(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  check({ ...schema, 'x-kubernetes-embedded-resource': true }, path, false, errs);
  return errs;
}
