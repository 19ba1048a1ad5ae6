import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { isSet, isWindowsPod, podContainers } from './containers.js';
import { containersPhrase, goQuote, joinQuote, pluralize, sortedUnique } from './format.js';

const podAnnotation = 'seccomp.security.alpha.kubernetes.io/pod';
const containerAnnotationPrefix = 'container.seccomp.security.alpha.kubernetes.io/';
const allowedTypes = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

/** Baseline before v1.19 (before the field existed): the alpha seccomp annotations, if present, must be safe. */
export function seccompProfileBaselineV1Dot0(meta: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const annotations = meta.annotations ?? {};
  const keys = [
    podAnnotation,
    ...podContainers(spec).map((container) => containerAnnotationPrefix + container.name),
  ];
  const forbidden = sortedUnique(
    keys.flatMap((key) => {
      const value = annotations[key];
      return value !== undefined && !allowedAnnotationValue(value) ? [`${key}=${goQuote(value)}`] : [];
    }),
  );
  if (forbidden.length === 0) return undefined;
  return {
    forbiddenReason: 'seccompProfile',
    forbiddenDetail: `forbidden ${pluralize('annotation', 'annotations', forbidden.length)} ${forbidden.join(', ')}`,
  };
}

interface SeccompFindings {
  /** "pod" and/or `containers "a", "b"` that set a forbidden type. */
  setters: string[];
  badTypes: string[];
  /** Containers without a seccompProfile of their own (in visiting order). */
  unset: string[];
  /** The pod sets an allowed type, which containers without a profile inherit. */
  podAllowed: boolean;
}

function findSeccompProblems(spec: PodSpec): SeccompFindings {
  const findings: SeccompFindings = { setters: [], badTypes: [], unset: [], podAllowed: false };
  const podProfile = spec.securityContext?.seccompProfile;
  if (isSet(podProfile)) {
    if (allowedTypes.has(podProfile.type ?? '')) findings.podAllowed = true;
    else {
      findings.setters.push('pod');
      findings.badTypes.push(podProfile.type ?? '');
    }
  }
  const badContainers: string[] = [];
  for (const container of podContainers(spec)) {
    const profile = container.securityContext?.seccompProfile;
    if (!isSet(profile)) findings.unset.push(container.name);
    else if (!allowedTypes.has(profile.type ?? '')) {
      badContainers.push(container.name);
      findings.badTypes.push(profile.type ?? '');
    }
  }
  if (badContainers.length > 0) findings.setters.push(containersPhrase(badContainers));
  return findings;
}

function explicitlyForbidden(findings: SeccompFindings): CheckResult | undefined {
  if (findings.setters.length === 0) return undefined;
  return {
    forbiddenReason: 'seccompProfile',
    forbiddenDetail: `${findings.setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(findings.badTypes))}`,
  };
}

/** Baseline from v1.19: seccompProfile.type, where set, must be RuntimeDefault or Localhost. */
export function seccompProfileBaselineV1Dot19(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  return explicitlyForbidden(findSeccompProblems(spec));
}

/** Restricted from v1.19: as baseline, and every container must get an allowed profile (its own or the pod's). */
export function seccompProfileRestrictedV1Dot19(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const findings = findSeccompProblems(spec);
  const explicit = explicitlyForbidden(findings);
  if (explicit) return explicit;
  if (findings.podAllowed || findings.unset.length === 0) return undefined;
  return {
    forbiddenReason: 'seccompProfile',
    forbiddenDetail: `pod or ${containersPhrase(findings.unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  };
}

/** From v1.25 Windows pods are exempt: seccomp is Linux-only. */
export function seccompProfileRestrictedV1Dot25(meta: unknown, spec: PodSpec): CheckResult | undefined {
  return isWindowsPod(spec) ? undefined : seccompProfileRestrictedV1Dot19(meta, spec);
}

export const seccompProfileBaseline: CheckDefinition = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  versions: [
    { minVersion: 0, check: seccompProfileBaselineV1Dot0 },
    { minVersion: 19, check: seccompProfileBaselineV1Dot19 },
  ],
};

export const seccompProfileRestricted: CheckDefinition = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    { minVersion: 19, check: seccompProfileRestrictedV1Dot19, overrides: ['seccompProfile_baseline'] },
    { minVersion: 25, check: seccompProfileRestrictedV1Dot25, overrides: ['seccompProfile_baseline'] },
  ],
};
