/**
 * The structural OpenAPI v3 schema machinery of apiextensions.k8s.io/v1 CustomResourceDefinitions:
 * pruning and defaulting custom resources with a version's schema. A custom resource on
 * create/update goes: pruneUnknownFields, pruneNonNullableNulls, then applyDefaults.
 */
export type { JSONSchemaProps, ValidationRule } from './types.js';
export { pruneUnknownFields } from './prune.js';
export { applyDefaults, pruneNonNullableNulls } from './defaults.js';
