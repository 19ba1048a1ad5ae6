export {
  buildOpenApi,
  groupVersionKey,
  type BuildOptions,
  type GroupVersionDoc,
  type OpenApi,
  type OpenApiResource,
} from './document.js';
export {
  duplicateFieldMessage,
  findDuplicateFields,
  findUnknownFields,
  goValueString,
  parseFieldValidation,
  strictDecodingError,
  strictFieldErrors,
  strictPatchError,
  unknownFieldMessage,
  type FieldValidation,
} from './strict-fields.js';
export { defaultSchemas, loadSchemasOnDemand } from './schemas-on-demand.js';
export {
  fallbackSchemaFile,
  gvkKey,
  indexSchemas,
  minimalListSchema,
  loadSchemas,
  schemaNameForGvk,
  type SchemaSet,
} from './schemas.js';
// Types only: the v2 document (and protobufjs for its gnostic form) loads on the first /openapi/v2 request.
export type { OpenApiV2 } from './v2/document.js';
export { SERVED_KINDS, type ServedKind } from './kinds.js';
export type { Schema, SchemaFile, SchemaMap } from './schema-types.js';
export { decodeAgainstSchema, type DecodeOptions } from './type-check.js';
