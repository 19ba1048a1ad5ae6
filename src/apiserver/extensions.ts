import type { ApiError, FieldError } from '../api/errors.js';
import type { Requirement } from '../api/labels.js';
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from '../api/meta.js';
import type { ServedCustomResource } from './crd/crd-controller.js';
import type { ResourceDef } from './registry/types.js';

export interface Matcher<T> {
  matches(value: T): boolean;
  empty?: boolean;
  /** For field selectors: the value a field must equal, if the selector pins it (e.g. metadata.name=x). */
  requiresExactMatch?(field: string): string | undefined;
  /** Field names referenced (field selectors), to reject unsupported ones. */
  fields?: string[];
  /** Label selectors' requirements: a list pre-filters stored objects on the label pairs they require. */
  requirements?: readonly Requirement[];
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  gvk: GroupVersionKind;
  now: string;
}

export interface ManagedFieldsUpdate {
  manager: string;
  operation: 'Update';
  apiVersion: string;
  now: string;
  subresource?: string;
}

export interface OpenApiDocs {
  index(): unknown;
  groupVersionDoc(key: string): { body: Buffer; hash: string; etag: string } | undefined;
  /** The custom resources served now: their group-versions join the v3 documents. */
  setCustomResources?(served: readonly ServedCustomResource[]): void;
  /** `/openapi/v2` (Swagger 2.0 as JSON and gnostic protobuf); absent: 404. */
  v2?():
    | { json: Buffer; protobuf: Buffer; etag: string }
    | Promise<{ json: Buffer; protobuf: Buffer; etag: string }>;
}

/**
 * The parts of request processing that live in their own modules (decoders, patch engines, selectors, schema
 * checks). The server takes them as one record so each can be tested alone and swapped in tests.
 */
export interface ApiExtensions {
  /** Async so the (large) protobuf declarations load on the first protobuf request only. */
  decodeProtobuf?: (body: Buffer) => Promise<KubeObject>;
  /** Returns the patched object; `live` is never changed. */
  applyPatch: (contentType: string, live: KubeObject, patch: unknown, gvk: GroupVersionKind) => KubeObject;
  /** Returns the merged object; neither `live` nor `applied` is changed. */
  serverSideApply?: (
    live: KubeObject | undefined,
    applied: KubeObject,
    opts: ApplyOptions,
  ) => { object: KubeObject; managedFields?: ManagedFieldsEntry[] };
  updateManagedFields?: (
    old: KubeObject | undefined,
    updated: KubeObject,
    opts: ManagedFieldsUpdate,
  ) => ManagedFieldsEntry[];
  /**
   * Decodes a full object body against its kind's schema, as upstream's typed decoding does: wrong JSON types
   * are a 400 in every mode, unknown fields are dropped (an error under Strict, warnings under Warn).
   * Mutates and returns the body.
   */
  decodeBody?: (
    body: unknown,
    gvk: GroupVersionKind,
    mode: 'Strict' | 'Warn' | 'Ignore',
  ) => { object: KubeObject; warnings: string[] };
  /** Upstream messages for unknown (and duplicate) fields: `unknown field "spec.foo"`. */
  strictFieldErrors?: (body: unknown, gvk: GroupVersionKind) => string[];
  /** The 400 answered under fieldValidation=Strict. */
  strictDecodingError?: (messages: string[], gvk: GroupVersionKind) => ApiError;
  validateObjectMeta: (obj: KubeObject, def: ResourceDef) => FieldError[];
  validateObjectMetaUpdate: (obj: KubeObject, old: KubeObject) => FieldError[];
  parseLabelSelector: (selector: string) => Matcher<Record<string, string> | undefined>;
  parseFieldSelector: (selector: string) => Matcher<Record<string, string>>;
  openapi?: OpenApiDocs;
}
