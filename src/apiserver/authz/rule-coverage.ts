/**
 * Whether a set of policy rules grants everything another rule grants (upstream's validation.Covers, the
 * comparison the policy reconciler uses to find missing rules). Each rule is taken apart into single
 * verb × group × resource (× name) grants, and each grant must be allowed by one owner rule.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

const all = (xs: string[] | undefined): string[] => xs ?? [];

/** One grant: a verb on one resource (and at most one name), or on one non-resource URL. */
interface Grant {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function grantsOf(rule: PolicyRule): Grant[] {
  const grants: Grant[] = [];
  const names = all(rule.resourceNames);
  for (const group of all(rule.apiGroups)) {
    for (const resource of all(rule.resources)) {
      for (const verb of rule.verbs) {
        if (names.length === 0) grants.push({ verb, group, resource });
        else for (const name of names) grants.push({ verb, group, resource, name });
      }
    }
  }
  for (const url of all(rule.nonResourceURLs)) for (const verb of rule.verbs) grants.push({ verb, url });
  return grants;
}

function resourceAllowed(owned: string[], resource: string): boolean {
  if (owned.includes('*') || owned.includes(resource)) return true;
  // `*/scale` grants the scale subresource of every resource.
  const slash = resource.indexOf('/');
  return slash >= 0 && owned.includes('*' + resource.slice(slash));
}

function urlAllowed(owned: string[], url: string): boolean {
  return owned.some((o) => o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))));
}

function allows(owner: PolicyRule, g: Grant): boolean {
  if (!owner.verbs.includes('*') && !owner.verbs.includes(g.verb)) return false;
  if (g.url !== undefined) return urlAllowed(all(owner.nonResourceURLs), g.url);
  const groups = all(owner.apiGroups);
  if (!groups.includes('*') && !groups.includes(g.group!)) return false;
  if (!resourceAllowed(all(owner.resources), g.resource!)) return false;
  const names = all(owner.resourceNames);
  return names.length === 0 || (g.name !== undefined && names.includes(g.name));
}

/** True when `owners` together grant everything `rule` grants. */
export function rulesCover(owners: readonly PolicyRule[], rule: PolicyRule): boolean {
  return grantsOf(rule).every((g) => owners.some((o) => allows(o, g)));
}
