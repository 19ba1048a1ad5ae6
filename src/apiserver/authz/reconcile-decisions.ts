/**
 * What the policy reconciler does with one default object, given what is stored (upstream's
 * computeReconciledRole / computeReconciledRoleBinding, in the "union" mode kube-apiserver runs them in):
 * a missing object is created; an object annotated autoupdate "false" is left alone; otherwise the labels and
 * annotations of the default are merged under the stored ones, missing rules are appended (rules a user added
 * stay), missing aggregation selectors are appended, missing binding subjects are appended, and a binding whose
 * roleRef differs is deleted and created anew (roleRef is immutable).
 */
import type { AggregationRule, PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { deepEqual, type ObjectMeta } from '../../api/meta.js';
import { AUTOUPDATE_ANNOTATION } from './policy-rule.js';
import { rulesCover } from './rules.js';

/** A Role or ClusterRole. */
export type RoleLike = {
  metadata?: ObjectMeta;
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule;
};

/** A RoleBinding or ClusterRoleBinding. */
export type BindingLike = {
  metadata?: ObjectMeta;
  roleRef: RoleRef;
  subjects?: Subject[];
};

export type Decision<T> =
  { op: 'create'; object: T } | { op: 'update'; object: T } | { op: 'recreate'; object: T } | { op: 'none' };

const NONE = { op: 'none' } as const;

function isProtected(existing: { metadata?: ObjectMeta }): boolean {
  return existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

/** Stored keys win over the default's; undefined when neither has any. */
function mergeMaps(
  defaults: Record<string, string> | undefined,
  stored: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!defaults && !stored) return undefined;
  return { ...defaults, ...stored };
}

/** The stored object with the default's labels and annotations merged in; `changed` when that added any. */
function withMergedMetadata<T extends { metadata?: ObjectMeta }>(
  existing: T,
  expected: T,
): { obj: T; changed: boolean } {
  const meta = existing.metadata ?? {};
  const labels = mergeMaps(expected.metadata?.labels, meta.labels);
  const annotations = mergeMaps(expected.metadata?.annotations, meta.annotations);
  const changed = !deepEqual(labels, meta.labels) || !deepEqual(annotations, meta.annotations);
  const merged: ObjectMeta = { ...meta };
  if (labels) merged.labels = labels;
  if (annotations) merged.annotations = annotations;
  return { obj: { ...existing, metadata: merged }, changed };
}

export function reconcileRole<T extends RoleLike>(existing: T | undefined, expected: T): Decision<T> {
  if (!existing) return { op: 'create', object: expected };
  if (isProtected(existing)) return NONE;
  const { obj, changed: metadataChanged } = withMergedMetadata(existing, expected);
  let changed = metadataChanged;

  const stored = existing.rules ?? [];
  // Added whole: upstream appends the missing grants one verb and resource at a time, which grants the same.
  const missingRules = (expected.rules ?? []).filter((r) => !rulesCover(stored, r));
  if (missingRules.length > 0) {
    obj.rules = [...stored, ...missingRules];
    changed = true;
  }

  const selectors = existing.aggregationRule?.clusterRoleSelectors ?? [];
  const expectedSelectors = expected.aggregationRule?.clusterRoleSelectors;
  if (!expected.aggregationRule && existing.aggregationRule) {
    // Not an aggregated role by default: the aggregation goes, as upstream's reconciler drops it.
    delete obj.aggregationRule;
    changed = true;
  } else if (expectedSelectors) {
    const missing = expectedSelectors.filter((s) => !selectors.some((have) => deepEqual(have, s)));
    if (missing.length > 0) {
      obj.aggregationRule = { ...existing.aggregationRule, clusterRoleSelectors: [...selectors, ...missing] };
      changed = true;
    }
  }
  return changed ? { op: 'update', object: obj } : NONE;
}

const subjectKey = (s: Subject): string =>
  JSON.stringify([s.kind, s.apiGroup ?? '', s.name, s.namespace ?? '']);

const sameRoleRef = (a: RoleRef, b: RoleRef): boolean =>
  a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name;

export function reconcileBinding<T extends BindingLike>(existing: T | undefined, expected: T): Decision<T> {
  if (!existing) return { op: 'create', object: expected };
  if (isProtected(existing)) return NONE;
  if (!sameRoleRef(existing.roleRef, expected.roleRef)) return { op: 'recreate', object: expected };
  const { obj, changed: metadataChanged } = withMergedMetadata(existing, expected);
  const stored = existing.subjects ?? [];
  const have = new Set(stored.map(subjectKey));
  const missing = (expected.subjects ?? []).filter((s) => !have.has(subjectKey(s)));
  if (missing.length > 0) obj.subjects = [...stored, ...missing];
  return metadataChanged || missing.length > 0 ? { op: 'update', object: obj } : NONE;
}
