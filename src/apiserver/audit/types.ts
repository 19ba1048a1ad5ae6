import type { ListMeta, StatusDetails } from '../../api/meta.js';

/*
 * The audit.k8s.io/v1 Event as the log backends need it. Fields are declared in the order of the
 * Go structs: an event built in this order serializes with upstream's JSON key order.
 */

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** authentication.k8s.io/v1 UserInfo. */
export interface AuditUserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The metav1.Status of the response (for a success, only the code and status). */
export interface AuditResponseStatus {
  metadata: ListMeta;
  status?: string;
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export interface AuditEventLike {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUserInfo;
  impersonatedUser?: AuditUserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectReference;
  responseStatus?: AuditResponseStatus;
  /** The request body as JSON (not always an object: a JSON patch is an array). */
  requestObject?: unknown;
  responseObject?: unknown;
  /** MicroTime text, as the caller serializes it: RFC 3339 with 6 fractional digits. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}
