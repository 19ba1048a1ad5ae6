/**
 * The rules of an aggregated ClusterRole, as upstream's clusterrole-aggregation controller computes them: for
 * each of its clusterRoleSelectors in order, the ClusterRoles it selects (itself excepted) sorted by name, their
 * rules in order, each rule kept once.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorFromObject, nothing, type LabelSelector } from '../../api/labels.js';
import { deepEqual } from '../../api/meta.js';

const byName = (a: ClusterRole, b: ClusterRole): number => {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Validation keeps invalid selectors out; one that got in anyway selects nothing. */
function selectorsOf(role: ClusterRole): LabelSelector[] {
  return (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => {
    try {
      return labelSelectorFromObject(s);
    } catch {
      return nothing;
    }
  });
}

/** Rules compare as upstream's semantic equality does: an empty list is the same as an absent one. */
function normalized(rule: PolicyRule): Partial<PolicyRule> {
  const out: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(rule) as [string, string[] | undefined][]) {
    if (value && value.length > 0) out[field] = value;
  }
  return out;
}

export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return deepEqual(normalized(a), normalized(b));
}

export function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((r, i) => sameRule(r, b[i]!));
}

/** The rules `role` aggregates from `roles` (all ClusterRoles); `role` must have an aggregationRule. */
export function aggregatedRules(role: ClusterRole, roles: readonly ClusterRole[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const selector of selectorsOf(role)) {
    const selected = roles.filter(
      (r) => r.metadata?.name !== role.metadata?.name && selector.matches(r.metadata?.labels),
    );
    for (const source of selected.sort(byName)) {
      for (const rule of source.rules ?? []) {
        if (!rules.some((have) => sameRule(have, rule))) rules.push(rule);
      }
    }
  }
  return rules;
}

/** Names of the aggregated roles among `roles` that select a role labelled `labels`. */
export function aggregatorsSelecting(
  labels: Record<string, string> | undefined,
  roles: readonly ClusterRole[],
): string[] {
  return roles
    .filter((r) => r.aggregationRule && selectorsOf(r).some((s) => s.matches(labels)))
    .map((r) => r.metadata?.name ?? '');
}
