/**
 * The structural OpenAPI v3 schema machinery of apiextensions.k8s.io/v1 CustomResourceDefinitions:
 * pruning, defaulting and validating custom resources with a version's schema. A custom resource
 * on create/update goes: pruneUnknownFields, pruneNonNullableNulls, applyDefaults, then
 * validateCustomResource (after the caller's ObjectMeta validation).
 */
export type { JSONSchemaProps, ValidationRule } from './types.js';
export { pruneUnknownFields } from './prune.js';
export { applyDefaults, pruneNonNullableNulls } from './defaults.js';
export { validateCustomResource } from './validate-object.js';
