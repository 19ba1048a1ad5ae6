/** Building blocks of the default RBAC policy: verb sets, rule builders, and the marks bootstrap objects carry. */
import type { ClusterRole, PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';

import { RBAC_GROUP } from './types.js';

export { RBAC_GROUP };

/** Label on every object of the default policy. */
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAP_LABEL_VALUE = 'rbac-defaults';
/** `"false"` on an object keeps the reconciler's hands off it; bootstrap objects carry `"true"`. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

export const READ = ['get', 'list', 'watch'] as const;
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const READ_WRITE = [...READ, ...WRITE] as const;
export const READ_UPDATE = [...READ, 'update', 'patch'] as const;

type Strings = readonly string[];

const sorted = (values: Strings): string[] => [...values].sort();

/**
 * A resource rule. Every list is sorted, as upstream's rule builder does, so stored roles read the same as
 * upstream's (`kubectl describe`) and compare equal across restarts.
 */
export function rule(verbs: Strings, groups: Strings, resources: Strings, names?: Strings): PolicyRule {
  const r: PolicyRule = { apiGroups: sorted(groups), resources: sorted(resources), verbs: sorted(verbs) };
  if (names && names.length > 0) r.resourceNames = sorted(names);
  return r;
}

/** A non-resource rule (`/healthz`, `/api/*`). */
export function urlRule(verbs: Strings, urls: Strings): PolicyRule {
  return { nonResourceURLs: sorted(urls), verbs: sorted(verbs) };
}

/** Writing core and events.k8s.io Events, which nearly every component does (upstream's eventsRule). */
export function eventsRule(): PolicyRule {
  return rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);
}

export function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { metadata: { name, ...(labels ? { labels } : {}) }, rules };
}

export const groupSubject = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });
export const userSubject = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
export const serviceAccountSubject = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});
