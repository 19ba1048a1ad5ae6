import type { UserInfo } from '../config.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** What a request asks to do (upstream's authorizer.Attributes). */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** False for non-resource paths (/healthz, /api, /version…): only `path` and `verb` matter then. */
  resourceRequest: boolean;
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface Decision {
  allowed: boolean;
  /** Why (which binding allowed it), or what went wrong resolving the rules when denied. */
  reason: string;
  /** Roles that could not be resolved while deciding (a missing ClusterRole, say). */
  evaluationError?: string;
  /**
   * Denied because the Node authorizer's graph relates the node to nothing of the kind: the graph follows the
   * watch cache, so a pod bound a moment ago may not be in it yet. Worth asking again once it caught up.
   */
  graphMiss?: boolean;
}
