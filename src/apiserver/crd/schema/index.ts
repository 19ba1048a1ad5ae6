/**
 * The structural OpenAPI v3 schema machinery of apiextensions.k8s.io/v1 CustomResourceDefinitions:
 * checking a version's schema, and pruning, defaulting and validating custom resources with it.
 * A custom resource on create/update goes: pruneUnknownFields, pruneNonNullableNulls,
 * applyDefaults, then validateCustomResource (after the caller's ObjectMeta validation).
 */
export type { JSONSchemaProps, ValidationRule } from './types.js';
export { pruneUnknownFields } from './prune.js';
export { applyDefaults, pruneNonNullableNulls } from './defaults.js';
export { validateCustomResource } from './validate-object.js';
export { validateSchemaDefinition } from './validate-schema.js';
export { celCompileError, loadCel, validateCelRules, validateCelTransitionRules } from './cel-rules.js';
