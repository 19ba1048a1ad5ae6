import type { AuditLevel } from '../audit/policy.js';
import type { KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import type { ResourceDef } from '../registry/types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** One admission request, as the webhooks see it before conversion to the version a rule asks for. */
export interface AdmissionAttributes {
  operation: Operation;
  def: ResourceDef;
  /** The group/version the client used (an alias's, e.g. extensions/v1beta1, or the canonical one). */
  requestGroup: string;
  requestVersion: string;
  subresource: string;
  namespace: string;
  name: string;
  user: UserInfo;
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, DeleteOptions or a connect request's options, as upstream sends them. */
  options?: Record<string, unknown>;
  /**
   * The kind of object and oldObject when it is not the resource's own (a Binding for pods/binding, an
   * Eviction, a Scale, PodExecOptions): such objects are sent as they are, in that kind's own version.
   */
  subresourceKind?: GroupVersionKind;
  /**
   * Adds an annotation to the request's audit event (upstream's Attributes.AddAnnotation, or
   * AddAnnotationWithLevel with `minLevel`); only when audited.
   */
  annotate?: (key: string, value: string, minLevel?: AuditLevel) => void;
}

export interface WebhookRule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: string;
  /** Policies' NamedRuleWithOperations: only these object names (empty: any). */
  resourceNames?: string[];
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

/** A webhook of a stored configuration, with the defaults the strategy applies. */
export interface Webhook {
  /** The configuration's name (webhooks are called in the order of their configurations' names). */
  configuration: string;
  name: string;
  mutating: boolean;
  clientConfig: ClientConfig;
  rules: WebhookRule[];
  failurePolicy: 'Fail' | 'Ignore';
  matchPolicy: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  reinvocationPolicy: 'Never' | 'IfNeeded';
  matchConditions: { name: string; expression: string }[];
}

/** What a webhook answered. */
export interface WebhookAnswer {
  allowed: boolean;
  status?: {
    code?: number;
    message?: string;
    reason?: string;
    status?: string;
    details?: Record<string, unknown>;
  };
  patch?: unknown[];
  warnings: string[];
  /** The webhook's `auditAnnotations`, added to the request's audit event as `<webhook name>/<key>`. */
  auditAnnotations?: Record<string, string>;
}

export type { KubeObject };
