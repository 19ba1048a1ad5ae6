/**
 * Which webhooks a request goes to, as upstream's generic webhook plugin decides: rules (operations, groups,
 * versions, resources with `/subresource` forms, scope), then the equivalent resources under
 * `matchPolicy: Equivalent`, then the namespace and object selectors. Webhook configurations themselves never
 * go to webhooks, so a broken webhook cannot lock its own fix out.
 */
import { labelSelectorFromObject, type LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/meta.js';
import type { Registry, ServedResource } from '../registry/index.js';
import type { AdmissionAttributes, GroupVersionResource, Webhook, WebhookRule } from './types.js';

const EXEMPT_RESOURCES = new Set([
  'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
]);

export function isExemptResource(group: string, resource: string): boolean {
  return group === 'admissionregistration.k8s.io' && EXEMPT_RESOURCES.has(resource);
}

function exactOrWildcard(items: readonly string[], requested: string): boolean {
  return items.some((i) => i === '*' || i === requested);
}

function isNamespacesResource(r: GroupVersionResource): boolean {
  return r.group === '' && r.resource === 'namespaces';
}

/** One rule against one group/version/resource of the request (upstream's rules.Matcher). */
export function ruleMatches(
  rule: WebhookRule,
  attrs: Pick<AdmissionAttributes, 'operation' | 'subresource' | 'namespace'>,
  resource: GroupVersionResource,
): boolean {
  if (rule.scope === 'Namespaced') {
    if (isNamespacesResource(resource) || !attrs.namespace) return false;
  } else if (rule.scope === 'Cluster') {
    if (!isNamespacesResource(resource) && attrs.namespace) return false;
  } else if (rule.scope !== '*' && rule.scope !== undefined) return false;
  if (!rule.operations.some((op) => op === '*' || op === attrs.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, resource.group)) return false;
  if (!exactOrWildcard(rule.apiVersions, resource.version)) return false;
  return rule.resources.some((entry) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    return (res === '*' || res === resource.resource) && (sub === '*' || sub === attrs.subresource);
  });
}

/** How a request is presented to a webhook: the resource a rule matched, served at that rule's version. */
export interface Invocation {
  webhook: Webhook;
  resource: GroupVersionResource;
  /** The served form of the resource at that version (converts the canonical object). */
  served: ServedResource;
}

/** Every group/version a resource is served at, the request's own first. */
function servedForms(registry: Registry, attrs: AdmissionAttributes): ServedResource[] {
  const own = registry.lookup(attrs.requestGroup, attrs.requestVersion, attrs.def.plural);
  const others: ServedResource[] = [];
  const { def } = attrs;
  const canonical = registry.lookup(def.group, def.version, def.plural);
  if (canonical && canonical !== own) others.push(canonical);
  for (const alias of def.aliases ?? []) {
    const s = registry.lookup(alias.group, alias.version, def.plural);
    if (s && s !== own && !others.includes(s)) others.push(s);
  }
  return own ? [own, ...others] : others;
}

function gvrOf(s: ServedResource): GroupVersionResource {
  return { group: s.group, version: s.version, resource: s.def.plural };
}

/** The rule match of one webhook, or undefined when its rules do not cover the request. */
export function matchRules(
  registry: Registry,
  webhook: Webhook,
  attrs: AdmissionAttributes,
): Invocation | undefined {
  const forms = servedForms(registry, attrs);
  const own = forms[0];
  if (!own) return undefined;
  const ownGvr = gvrOf(own);
  if (own.group === attrs.requestGroup && own.version === attrs.requestVersion) {
    if (webhook.rules.some((r) => ruleMatches(r, attrs, ownGvr)))
      return { webhook, resource: ownGvr, served: own };
  }
  if (webhook.matchPolicy !== 'Equivalent') return undefined;
  // Earlier rules first, as upstream.
  for (const rule of webhook.rules) {
    for (const form of forms) {
      const gvr = gvrOf(form);
      if (form === own && own.group === attrs.requestGroup && own.version === attrs.requestVersion) continue;
      if (ruleMatches(rule, attrs, gvr)) return { webhook, resource: gvr, served: form };
    }
  }
  return undefined;
}

const compiled = new WeakMap<object, LabelSelector>();

/** A webhook's selector compiled once per stored configuration object (an absent one matches everything). */
export function compiledSelector(spec: object | undefined): LabelSelector | undefined {
  if (!spec) return undefined;
  let sel = compiled.get(spec);
  if (!sel) {
    sel = labelSelectorFromObject(spec);
    compiled.set(spec, sel);
  }
  return sel.empty ? undefined : sel;
}

/** Upstream's object selector: the new or the old object's labels match. */
export function objectSelectorMatches(
  webhook: Webhook,
  object: KubeObject | undefined,
  oldObject: KubeObject | undefined,
): boolean {
  const sel = compiledSelector(webhook.objectSelector);
  if (!sel) return true;
  const matches = (o: KubeObject | undefined): boolean => !!o && sel.matches(o.metadata?.labels ?? {});
  return matches(object) || matches(oldObject);
}

/**
 * Whether the namespace selector applies at all: cluster-scoped requests other than for namespaces are never
 * exempted by it.
 */
export function namespaceSelectorApplies(webhook: Webhook, attrs: AdmissionAttributes): boolean {
  if (!compiledSelector(webhook.namespaceSelector)) return false;
  return !!attrs.namespace || (attrs.def.group === '' && attrs.def.plural === 'namespaces');
}
