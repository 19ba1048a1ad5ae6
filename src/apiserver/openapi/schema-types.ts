import type { GroupVersionKind } from '../../api/meta.js';

/** The subset of an OpenAPI 3.0 schema object that the generated Kubernetes schemas use. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export type SchemaMap = Record<string, Schema>;

/** Shape of `generated/k8s-schemas.json`. */
export interface SchemaFile {
  /** What the schemas were generated from, e.g. `kubernetes-types@1.30.0`. */
  source: string;
  schemas: SchemaMap;
}

export const REF_PREFIX = '#/components/schemas/';

export function refTo(name: string): string {
  return REF_PREFIX + name;
}

/** The component name a `$ref` points at, or undefined for a foreign ref. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}
