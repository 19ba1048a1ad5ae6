import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { badContainerNames, isSet } from './containers.js';
import { containersPhrase, goQuote, joinQuote, pluralize, sortedUnique } from './format.js';

const annotationPrefix = 'container.apparmor.security.beta.kubernetes.io/';
const allowedTypes = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/**
 * Baseline: the appArmorProfile fields (pod and containers) may only be RuntimeDefault or Localhost, and the
 * deprecated per-container annotations only empty, runtime/default or localhost/*.
 */
export function appArmorProfileV1Dot0(meta: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const setters: string[] = [];
  const badTypes: string[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  if (isSet(podProfile) && !allowedTypes.has(podProfile.type ?? '')) {
    setters.push('pod');
    badTypes.push(podProfile.type ?? '');
  }
  const badContainers = badContainerNames(spec, (container) => {
    const profile = container.securityContext?.appArmorProfile;
    if (!isSet(profile) || allowedTypes.has(profile.type ?? '')) return false;
    badTypes.push(profile.type ?? '');
    return true;
  });
  if (badContainers.length > 0) setters.push(containersPhrase(badContainers));

  const badAnnotations = Object.entries(meta.annotations ?? {})
    .filter(([key, value]) => key.startsWith(annotationPrefix) && !allowedAnnotationValue(value))
    .map(([key, value]) => `${key}=${goQuote(value)}`)
    .sort();
  if (badAnnotations.length > 0) setters.push(pluralize('annotation', 'annotations', badAnnotations.length));

  if (setters.length === 0) return undefined;
  const badValues = [...sortedUnique(badTypes), ...badAnnotations];
  return {
    forbiddenReason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValues.length),
    forbiddenDetail: `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValues)}`,
  };
}

export const appArmorProfile: CheckDefinition = {
  id: 'appArmorProfile',
  level: 'baseline',
  versions: [{ minVersion: 0, check: appArmorProfileV1Dot0 }],
};
