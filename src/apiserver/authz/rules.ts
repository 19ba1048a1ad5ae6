/** RBAC rule semantics: matching a request, matching a subject, and one rule set covering another. */
import type { UserInfo } from '../config.js';
import type { Attributes, PolicyRule, Subject } from './types.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export const serviceAccountUsername = (namespace: string, name: string): string =>
  `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * `system:serviceaccount:NS:NAME` split into its parts when both are valid names (a namespace label and an
 * account subdomain, as upstream's SplitUsername checks); undefined for other user names.
 */
export function splitServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  const [namespace, name] = parts;
  if (parts.length !== 2 || !namespace || !name) return undefined;
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && list.includes(v);

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    // `*/scale` grants that subresource of every resource.
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource))
      return true;
  }
  return false;
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === '*' || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request (upstream's RuleAllows). */
export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, '*') && !has(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceUrlMatches(rule, attrs.path);
  if (!has(rule.apiGroups, '*') && !has(rule.apiGroups, attrs.apiGroup)) return false;
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  if (!resourceMatches(rule, combined, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(attrs.name);
}

/**
 * Whether a binding subject names the user. A ServiceAccount subject without a namespace means the binding's
 * own namespace (`namespace`, empty for ClusterRoleBindings, where such a subject matches nobody).
 */
export function subjectMatches(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || namespace;
      return !!ns && user.username === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

const coversAll = (owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean =>
  (wanted ?? []).every((w) => has(owner, w));

/** A servant rule split into rules of one group, resource, verb and name each, or one URL and verb. */
function breakDown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        else
          for (const name of names)
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs) out.push({ verbs: [verb], nonResourceURLs: [url] });
  return out;
}

/** Owner resources cover `pods/log` by naming it, by `*`, or by the any-resource form of its subresource. */
function resourcesCover(
  owner: readonly string[] | undefined,
  wanted: readonly string[] | undefined,
): boolean {
  if (has(owner, '*')) return true;
  return (wanted ?? []).every((r) => {
    if (has(owner, r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && has(owner, `*/${r.slice(slash + 1)}`);
  });
}

/** Owner URLs cover a URL exactly or by a prefix ending in `*`. */
function urlsCover(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  return (wanted ?? []).every((path) =>
    (owner ?? []).some((o) => o === path || (o.endsWith('*') && path.startsWith(o.replace(/\*+$/, '')))),
  );
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || coversAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || coversAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCover(owner.resources, sub.resources);
  const urls = urlsCover(owner.nonResourceURLs, sub.nonResourceURLs);
  const ownerNames = owner.resourceNames ?? [];
  const subNames = sub.resourceNames ?? [];
  const names = ownerNames.length === 0 || (subNames.length > 0 && coversAll(ownerNames, subNames));
  return verbs && groups && resources && urls && names;
}

/** The parts of `servant` that `owner` does not grant (empty when it grants them all): upstream's Covers. */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakDown).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
}

/**
 * Simple rules (one group, one resource, at most one name) for the same group, resource and name merged into
 * one with all their verbs, as upstream's CompactRules.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const merged = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of rules) {
    const simple =
      r.apiGroups?.length === 1 &&
      r.resources?.length === 1 &&
      (r.resourceNames?.length ?? 0) <= 1 &&
      !r.nonResourceURLs?.length;
    if (!simple) {
      out.push(r);
      continue;
    }
    const name = r.resourceNames?.[0];
    const key = `${r.apiGroups![0]}\u0000${r.resources![0]}\u0000${name ?? ''}\u0000${name === undefined}`;
    const existing = merged.get(key);
    if (existing) {
      existing.verbs.push(...r.verbs);
      continue;
    }
    const copy: PolicyRule = {
      apiGroups: [...r.apiGroups!],
      resources: [...r.resources!],
      verbs: [...r.verbs],
      ...(name === undefined ? {} : { resourceNames: [name] }),
    };
    merged.set(key, copy);
    out.push(copy);
  }
  return out;
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuotedList = (list: readonly string[]): string =>
  `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** A rule as upstream prints it in escalation errors: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuotedList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuotedList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuotedList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuotedList(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${goQuotedList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** True when `owners` together grant everything `rule` grants. */
export const rulesCover = (owners: readonly PolicyRule[], rule: PolicyRule): boolean =>
  uncoveredRules(owners, [rule]).length === 0;
