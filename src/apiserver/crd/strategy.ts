/** The Strategy of customresourcedefinitions.apiextensions.k8s.io (v1, cluster-scoped, status subresource). */
import { isPlainObject } from '../../api/meta.js';
import type { Strategy } from '../registry/types.js';
import { loadCel, validateSchemaDefinition } from './schema/index.js';
import { defaultCrd, prepareCrdForCreate, prepareCrdForUpdate } from './crd-defaults.js';
import { validateCrd, validateCrdUpdate, type SchemaValidator } from './crd-validation.js';

export interface CrdStrategyOptions {
  /** Checks of each `openAPIV3Schema` (structural rules, defaults, CEL); without it schemas are not checked. */
  validateSchema?: SchemaValidator;
}

export function createCrdStrategy(opts: CrdStrategyOptions = {}): Strategy {
  const validation = opts.validateSchema ? { validateSchema: opts.validateSchema } : {};
  return {
    defaults: defaultCrd,
    prepareForCreate: prepareCrdForCreate,
    prepareForUpdate: prepareCrdForUpdate,
    validate: (obj) => validateCrd(obj, validation),
    validateUpdate: validateCrdUpdate,
  };
}

/** With the structural checks of every version's `openAPIV3Schema` (whose CEL rules must parse). */
export const crdStrategy: Strategy = {
  ...createCrdStrategy({
    validateSchema: (schema, fieldPath) =>
      isPlainObject(schema) ? validateSchemaDefinition(schema, fieldPath) : [],
  }),
  beforeWrite: loadCel,
};
