/**
 * Validation of a custom resource against its version's schema, in the order upstream's custom
 * resource strategy reports errors: OpenAPI value validation, then embedded resources, then
 * list-type uniqueness. `x-kubernetes-validations` (CEL) rules are evaluated apart, in cel-rules.ts.
 *
 * The caller validates the root ObjectMeta (upstream reports those errors first) and TypeMeta.
 * Not done here: upstream's ratcheting on update (errors of fields the update leaves unchanged are
 * dropped), and type errors of single fields inside embedded ObjectMeta (a non-string name counts as
 * absent; only a metadata that is not an object is reported).
 */
import type { FieldError } from '../../../api/errors.js';
import { validateEmbeddedResources } from './embedded.js';
import { validateListSetsAndMaps } from './list-type.js';
import type { JSONSchemaProps } from './types.js';
import { openAPIErrors } from './value-validator.js';

/**
 * apiVersion and kind are checked against the served version by the caller; the root metadata
 * schema (structural schemas may only constrain name and generateName) is applied as written.
 */
function withoutTypeMeta(schema: JSONSchemaProps): JSONSchemaProps {
  if (!schema.properties) return schema;
  const properties = { ...schema.properties };
  delete properties.apiVersion;
  delete properties.kind;
  return { ...schema, properties };
}

export function validateCustomResource(obj: Record<string, unknown>, schema: JSONSchemaProps): FieldError[] {
  return [
    ...openAPIErrors(withoutTypeMeta(schema), obj),
    ...validateEmbeddedResources(obj, schema),
    ...validateListSetsAndMaps(obj, schema),
  ];
}
