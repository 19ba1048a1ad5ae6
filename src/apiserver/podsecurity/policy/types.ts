import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

/** 'latest' or a minor version of Kubernetes 1.x (upstream's api.Version): e.g. { minor: 25 } for v1.25. */
export type PolicyVersion = 'latest' | { minor: number };

export interface CheckResult {
  /** e.g. 'allowPrivilegeEscalation != false' */
  forbiddenReason: string;
  /** e.g. 'container "nginx" must set securityContext.allowPrivilegeEscalation=false' */
  forbiddenDetail: string;
}

/** One implementation of a check: undefined when the pod is allowed. */
export type PodCheck = (meta: ObjectMeta, spec: PodSpec) => CheckResult | undefined;

export interface VersionedCheck {
  /** The first policy version (minor of 1.x) this implementation applies to. */
  minVersion: number;
  check: PodCheck;
  /** IDs of baseline checks that this restricted implementation replaces at the restricted level. */
  overrides?: readonly string[];
}

export interface CheckDefinition {
  id: string;
  level: 'baseline' | 'restricted';
  /** Sorted by strictly increasing minVersion. */
  versions: readonly VersionedCheck[];
}
