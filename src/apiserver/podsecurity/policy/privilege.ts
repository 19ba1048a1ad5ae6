import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { badContainerNames, isWindowsPod } from './containers.js';
import { containersPhrase } from './format.js';

/** Baseline: no container may set securityContext.privileged=true. */
export function privilegedV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const bad = badContainerNames(spec, (container) => container.securityContext?.privileged === true);
  if (bad.length === 0) return undefined;
  return {
    forbiddenReason: 'privileged',
    forbiddenDetail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
  };
}

/** Restricted: every container must set securityContext.allowPrivilegeEscalation=false explicitly. */
export function allowPrivilegeEscalationV1Dot8(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const bad = badContainerNames(
    spec,
    (container) => container.securityContext?.allowPrivilegeEscalation !== false,
  );
  if (bad.length === 0) return undefined;
  return {
    forbiddenReason: 'allowPrivilegeEscalation != false',
    forbiddenDetail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

/** From v1.25 Windows pods are exempt: the API rejects the field for them. */
export function allowPrivilegeEscalationV1Dot25(meta: unknown, spec: PodSpec): CheckResult | undefined {
  return isWindowsPod(spec) ? undefined : allowPrivilegeEscalationV1Dot8(meta, spec);
}

export const privileged: CheckDefinition = {
  id: 'privileged',
  level: 'baseline',
  versions: [{ minVersion: 0, check: privilegedV1Dot0 }],
};

export const allowPrivilegeEscalation: CheckDefinition = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    // The field exists since v1.8.
    { minVersion: 8, check: allowPrivilegeEscalationV1Dot8 },
    { minVersion: 25, check: allowPrivilegeEscalationV1Dot25 },
  ],
};
