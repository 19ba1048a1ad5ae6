import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { badContainerNames, isSet, podContainers } from './containers.js';
import { containersPhrase } from './format.js';

/** Restricted: runAsNonRoot must be true, on the pod or on every container; never explicitly false. */
export function runAsNonRootV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const setters: string[] = [];
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const container of podContainers(spec)) {
    const value = container.securityContext?.runAsNonRoot;
    if (isSet(value)) {
      if (!value) explicitlyBad.push(container.name);
    } else if (podValue !== true) {
      implicitlyBad.push(container.name);
    }
  }
  if (explicitlyBad.length > 0) setters.push(containersPhrase(explicitlyBad));
  if (setters.length > 0) {
    return {
      forbiddenReason: 'runAsNonRoot != true',
      forbiddenDetail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  }
  if (implicitlyBad.length === 0) return undefined;
  return {
    forbiddenReason: 'runAsNonRoot != true',
    forbiddenDetail: `pod or ${containersPhrase(implicitlyBad)} must set securityContext.runAsNonRoot=true`,
  };
}

/** Restricted from v1.23: runAsUser, where set, must not be 0. */
export function runAsUserV1Dot23(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = badContainerNames(spec, (container) => container.securityContext?.runAsUser === 0);
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return undefined;
  return {
    forbiddenReason: 'runAsUser=0',
    forbiddenDetail: `${setters.join(' and ')} must not set runAsUser=0`,
  };
}

export const runAsNonRoot: CheckDefinition = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [{ minVersion: 0, check: runAsNonRootV1Dot0 }],
};

export const runAsUser: CheckDefinition = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [{ minVersion: 23, check: runAsUserV1Dot23 }],
};
