/**
 * The apiextensions.k8s.io/v1 JSONSchemaProps shape, as stored in
 * `spec.versions[*].schema.openAPIV3Schema` of a CustomResourceDefinition.
 */

/** One `x-kubernetes-validations` rule (evaluated by cel-rules.ts). */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  /** A schema; v1 also accepts an array of schemas, which structural schemas forbid. */
  items?: JSONSchemaProps | JSONSchemaProps[];
  additionalProperties?: JSONSchemaProps | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  example?: unknown;
  nullable?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  externalDocs?: { description?: string; url?: string };
  // Accepted by the v1 type but rejected by CRD validation; typed so they can be reported.
  id?: string;
  $schema?: string;
  $ref?: string;
  patternProperties?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, JSONSchemaProps | string[]>;
  additionalItems?: JSONSchemaProps | boolean;
  definitions?: Record<string, JSONSchemaProps>;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The single item schema; an array of item schemas (not structural) counts as none. */
export function itemsOf(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const items = s?.items;
  return items && !Array.isArray(items) ? items : undefined;
}

/**
 * What upstream's structural schema keeps of `additionalProperties`: `undefined` when unset (or null),
 * `null` for a bare boolean (no schema below it), else the schema.
 */
export function additionalOf(s: JSONSchemaProps | undefined): JSONSchemaProps | null | undefined {
  const ap = s?.additionalProperties;
  if (ap === undefined || ap === null) return undefined;
  return typeof ap === 'object' && ap !== null ? ap : null;
}

/** upstream treats `default: null` as no default. */
export function hasDefault(s: JSONSchemaProps | undefined): boolean {
  return s?.default !== undefined && s.default !== null;
}

/** field.Path rendering: `a.b`, `a[k]`, `a[0]`; an empty parent means the root. */
export const fieldPath = {
  child: (parent: string, name: string): string => (parent ? `${parent}.${name}` : name),
  key: (parent: string, key: string): string => `${parent}[${key}]`,
  index: (parent: string, i: number): string => `${parent}[${i}]`,
};
