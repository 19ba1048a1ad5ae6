import { generateSchemas } from '../../../../scripts/gen-openapi-schemas.js';
import { indexSchemas, type SchemaSet } from '../schemas.js';

let cached: SchemaSet | undefined;

/** Schemas generated in-process, so tests do not depend on generated/k8s-schemas.json being present. */
export function generatedSchemaSet(): SchemaSet {
  cached ??= indexSchemas(generateSchemas().file);
  return cached;
}
