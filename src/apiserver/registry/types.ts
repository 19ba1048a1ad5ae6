import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export type SubresourceName =
  | 'status'
  | 'scale'
  | 'binding'
  | 'eviction'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  | 'proxy'
  | 'ephemeralcontainers'
  | 'finalize'
  | 'token'
  | 'approval';

/** Subresources whose writes change one part of the object and keep the rest (see Strategy.partialUpdates). */
export const PARTIAL_UPDATE_SUBRESOURCES: readonly SubresourceName[] = ['ephemeralcontainers', 'approval'];

/** How a partial-update subresource takes its part from a request and checks the change. */
export interface PartialUpdate {
  /** Keep everything but this subresource's part from old (in place). */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
}

/** Column of a meta.k8s.io/v1 Table. `priority: 1` columns show only with `-o wide`. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
}

export interface TableConvertor {
  columns: TableColumn[];
  /** One row's cells, in column order. `now` in ms, for ages. */
  cells(obj: KubeObject, now: number): unknown[];
}

/** Per-kind behaviour used by the generic REST handler (as upstream's rest.RESTCreateStrategy & co). */
export interface Strategy {
  /** Loads, once, what this kind's validation needs (awaited before every write request of the kind). */
  beforeWrite?(): Promise<void>;
  /** Fill defaults on an object about to be created or updated (in place). Runs before validation. */
  defaults?(obj: KubeObject): void;
  /** Clear or set server-owned fields on create (e.g. status). */
  prepareForCreate?(obj: KubeObject): void;
  /** Record who asks, on a create made through a request (CertificateSigningRequest's spec.username & co). */
  setRequester?(obj: KubeObject, user: UserInfo): void;
  /**
   * Keep the status a create sends, where the kind has a status subresource (upstream: Node, which its agent
   * registers with its status). Otherwise such a status is dropped before prepareForCreate.
   */
  keepsStatusOnCreate?: boolean;
  /** Carry server-owned fields over from the old object on update (e.g. status for the main resource). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Validate a new object. Field paths are relative to the object root, e.g. `spec.containers[0].name`. */
  validate?(obj: KubeObject): FieldError[];
  /** Validate an update (immutable fields, transitions). Runs after validate(). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * Status writes are validated too (custom resources, whose schema covers status); errors the stored object
   * already had are let through, as for every update.
   */
  validatesStatus?: boolean;
  /** For the status subresource: keep everything but status from old. Default: copy status only. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject): void;
  /**
   * Subresources that update one part of the object: pods/ephemeralcontainers (spec.ephemeralContainers),
   * certificatesigningrequests/approval (status.conditions).
   */
  partialUpdates?: Partial<Record<SubresourceName, PartialUpdate>>;
}

/** One served group/version of a kind that is stored in another (canonical) version. */
export interface VersionAlias {
  group: string;
  version: string;
  /** Convert a request body of this version to the canonical version (in place or new object). */
  toCanonical(obj: KubeObject): KubeObject;
  /** Convert a canonical object to this version for responses. */
  fromCanonical(obj: KubeObject): KubeObject;
  /** Warning sent with every request to this version (deprecated APIs), e.g. `extensions/v1beta1 Deployment is deprecated …`. */
  warning?: string;
  /** The release that removed this version upstream (`k8s.io/removed-release` in audit events). */
  removedRelease?: string;
  /** Short names/categories are advertised only for the canonical version unless set here. */
  shortNames?: string[];
}

/** A kind, declared once; one generic handler serves it. */
export interface ResourceDef {
  group: string;
  /** Canonical (storage and preferred) version. */
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceName[];
  /** Verbs on the main resource; default ALL_VERBS. Review kinds (SelfSubjectAccessReview) are create-only. */
  verbs?: Verb[];
  /** Other group/versions this kind is served at. */
  aliases?: VersionAlias[];
  /** Kinds with a spec bump metadata.generation when spec (or anything but metadata/status) changes. */
  generationTracked?: boolean;
  strategy: Strategy;
  table?: TableConvertor;
  /** False when the canonical (storage) version is not served itself (a CRD may store an unserved version). */
  servesCanonical?: boolean;
  /** Custom resources: served versions, most preferred first (discovery lists them so). */
  versionOrder?: string[];
  /**
   * Kinds without a compiled-in schema (custom resources): prunes the fields a body of `version` may not carry,
   * fills the schema's defaults, and returns the pruned fields' paths (`spec.foo`) for fieldValidation.
   */
  decodeBody?(body: KubeObject, version: string, opts?: { defaults?: boolean }): string[];
  /** Where the scale subresource reads and writes (custom resources declare their own paths). */
  scalePaths?: ScalePaths;
}

/** A CRD's `subresources.scale`: JSON paths such as `.spec.replicas`. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}
