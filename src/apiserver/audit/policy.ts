/**
 * kube-apiserver's audit policy (`--audit-policy-file`, `audit.k8s.io/v1` Policy): parsed and validated as
 * upstream, and evaluated per request: the first rule whose users, groups, verbs, resources, namespaces or
 * non-resource URLs all match decides the level and the stages left out; no rule matching means `None`.
 */
import { readFileSync } from 'node:fs';
import { fieldErr, fieldErrorsSummary, type FieldError } from '../../api/errors.js';
import { isDNS1123Subdomain } from '../../api/validation/names.js';
import { yaml } from '../../util/yaml.js';
import type { Attributes } from '../authz/types.js';

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];
export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

const POLICY_VERSION = 'audit.k8s.io/v1';

export interface GroupResources {
  group: string;
  resources: string[];
  resourceNames: string[];
}

export interface AuditPolicyRule {
  level: AuditLevel;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  /** The rule's own stages and the policy's together. */
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

export interface AuditPolicy {
  rules: AuditPolicyRule[];
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

/** What the policy decides for one request. */
export interface RequestAuditConfig {
  level: AuditLevel;
  omitStages: readonly AuditStage[];
  omitManagedFields: boolean;
}

export function levelAtLeast(level: AuditLevel, min: AuditLevel): boolean {
  return AUDIT_LEVELS.indexOf(level) >= AUDIT_LEVELS.indexOf(min);
}

/** Reads and validates the policy file; the error names the file, as kube-apiserver's does. */
export function readAuditPolicy(path: string): AuditPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `loading audit policy file: failed to read file path "${path}": ${(err as Error).message}`,
    );
  }
  try {
    return parseAuditPolicy(text);
  } catch (err) {
    throw new Error(`loading audit policy file: ${(err as Error).message}: from file ${path}`);
  }
}

export function parseAuditPolicy(text: string): AuditPolicy {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (err) {
    throw new Error(`failed decoding: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new Error("failed decoding: Object 'Kind' is missing");
  if (typeof doc.kind !== 'string' || doc.kind === '')
    throw new Error("failed decoding: Object 'Kind' is missing");
  if (doc.apiVersion !== POLICY_VERSION || doc.kind !== 'Policy') {
    throw new Error(
      `failed decoding: no kind "${doc.kind}" is registered for version "${typeof doc.apiVersion === 'string' ? doc.apiVersion : ''}"`,
    );
  }
  const errors: FieldError[] = [];
  const policyStages = stageList(doc.omitStages, 'omitStages', errors);
  const policyOmitManaged = doc.omitManagedFields === true;
  const rawRules = Array.isArray(doc.rules) ? doc.rules : [];
  const rules = rawRules.map((raw, i) =>
    parseRule(isObject(raw) ? raw : {}, `rules[${i}]`, policyStages, policyOmitManaged, errors),
  );
  if (errors.length > 0) throw new Error(fieldErrorsSummary(errors));
  if (rules.length === 0) throw new Error('loaded illegal policy with 0 rules');
  return { rules, omitStages: policyStages, omitManagedFields: policyOmitManaged };
}

function parseRule(
  raw: Record<string, unknown>,
  path: string,
  policyStages: AuditStage[],
  policyOmitManaged: boolean,
  errors: FieldError[],
): AuditPolicyRule {
  const level = raw.level;
  if (level === undefined || level === '') errors.push(fieldErr.required(`${path}.level`));
  else if (!AUDIT_LEVELS.includes(level as AuditLevel))
    errors.push(fieldErr.notSupported(`${path}.level`, level, [...AUDIT_LEVELS]));

  const nonResourceURLs = strings(raw.nonResourceURLs);
  nonResourceURLs.forEach((url, i) => {
    if (url === '*') return;
    const field = `${path}.nonResourceURLs[${i}]`;
    if (!url.startsWith('/'))
      errors.push(fieldErr.invalid(field, url, "non-resource URL rules must begin with a '/' character"));
    if (url !== '' && url.slice(0, -1).includes('*'))
      errors.push(
        fieldErr.invalid(
          field,
          url,
          "non-resource URL wildcards '*' must be the final character of the rule",
        ),
      );
  });

  const resources = (Array.isArray(raw.resources) ? raw.resources : []).map((r): GroupResources => {
    const gr = isObject(r) ? r : {};
    return {
      group: typeof gr.group === 'string' ? gr.group : '',
      resources: strings(gr.resources),
      resourceNames: strings(gr.resourceNames),
    };
  });
  for (const gr of resources) {
    if (gr.group !== '') {
      const msgs = isDNS1123Subdomain(gr.group);
      if (msgs.length > 0) errors.push(fieldErr.invalid(`${path}.resources.group`, gr.group, msgs.join(',')));
    }
    if (gr.resourceNames.length > 0 && gr.resources.length === 0)
      errors.push(
        fieldErr.invalid(
          `${path}.resources.resourceNames`,
          gr.resourceNames,
          'using resourceNames requires at least one resource',
        ),
      );
  }
  const namespaces = strings(raw.namespaces);
  if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0))
    errors.push(
      fieldErr.invalid(
        `${path}.nonResourceURLs`,
        nonResourceURLs,
        'rules cannot apply to both regular resources and non-resource URLs',
      ),
    );
  const ruleStages = stageList(raw.omitStages, `${path}.omitStages`, errors);
  return {
    level: level as AuditLevel,
    users: strings(raw.users),
    userGroups: strings(raw.userGroups),
    verbs: strings(raw.verbs),
    resources,
    namespaces,
    nonResourceURLs,
    omitStages: [...new Set([...policyStages, ...ruleStages])],
    // A rule's own setting wins over the policy's, which applies when the rule does not say.
    omitManagedFields: typeof raw.omitManagedFields === 'boolean' ? raw.omitManagedFields : policyOmitManaged,
  };
}

function stageList(raw: unknown, path: string, errors: FieldError[]): AuditStage[] {
  const out: AuditStage[] = [];
  strings(raw).forEach((stage, i) => {
    if (AUDIT_STAGES.includes(stage as AuditStage)) out.push(stage as AuditStage);
    else
      errors.push(fieldErr.invalid(`${path}[${i}]`, stage, `allowed stages are ${AUDIT_STAGES.join(',')}`));
  });
  return out;
}

/** The level and stages the policy gives a request (upstream's policy checker). */
export function evaluatePolicy(policy: AuditPolicy, attrs: Attributes | undefined): RequestAuditConfig {
  for (const rule of policy.rules) {
    if (ruleMatches(rule, attrs)) {
      return { level: rule.level, omitStages: rule.omitStages, omitManagedFields: rule.omitManagedFields };
    }
  }
  return { level: 'None', omitStages: policy.omitStages, omitManagedFields: policy.omitManagedFields };
}

/** `attrs` is undefined for a request that failed authentication: rules naming users or groups miss it. */
function ruleMatches(rule: AuditPolicyRule, attrs: Attributes | undefined): boolean {
  const user = attrs?.user;
  if (rule.users.length > 0 && (!user || !rule.users.includes(user.username))) return false;
  if (rule.userGroups.length > 0 && !user?.groups.some((g) => rule.userGroups.includes(g))) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(attrs?.verb ?? '')) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return resourceMatches(rule, attrs);
  if (rule.nonResourceURLs.length > 0) {
    if (!attrs || attrs.resourceRequest) return false;
    return rule.nonResourceURLs.some((spec) => pathMatches(attrs.path, spec));
  }
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(rule: AuditPolicyRule, attrs: Attributes | undefined): boolean {
  if (!attrs?.resourceRequest) return false;
  // Cluster-scoped resources have the empty namespace.
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(attrs.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const { resource, subresource, name } = attrs;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const gr of rule.resources) {
    if (gr.group !== attrs.apiGroup) continue;
    if (gr.resources.length === 0) return true;
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (subresource && res.startsWith('*/') && res.slice(2) === subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === resource) return true;
    }
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
