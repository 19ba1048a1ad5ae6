/**
 * Which webhooks a request goes to, as upstream's generic webhook plugin decides: rules (operations, groups,
 * versions, resources with `/subresource` forms, scope), then the equivalent resources under
 * `matchPolicy: Equivalent`, then the namespace and object selectors. Webhook configurations themselves never
 * go to webhooks, so a broken webhook cannot lock its own fix out.
 */
import { labelSelectorFromObject, type LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/meta.js';
import { ApiError } from '../../api/errors.js';
import { servedView, type Registry, type ServedResource } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { ADMISSION_GROUP, storedNamespace } from './stored.js';
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
  return group === ADMISSION_GROUP && EXEMPT_RESOURCES.has(resource);
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
  attrs: Pick<AdmissionAttributes, 'operation' | 'subresource' | 'namespace'> & { name?: string },
  resource: GroupVersionResource,
): boolean {
  if (rule.resourceNames?.length && !rule.resourceNames.includes(attrs.name ?? '')) return false;
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

/** What decides a rule match: the rules and whether equivalent resources count. */
export interface RuleSet {
  rules: readonly WebhookRule[];
  matchPolicy: 'Exact' | 'Equivalent';
}

/** The resource and served version a rule set matched the request at, or undefined. */
export function matchRuleSet(
  registry: Registry,
  set: RuleSet,
  attrs: AdmissionAttributes,
): Omit<Invocation, 'webhook'> | undefined {
  const forms = servedForms(registry, attrs);
  const own = forms[0];
  if (!own) return undefined;
  const ownGvr = gvrOf(own);
  const ownIsRequest = own.group === attrs.requestGroup && own.version === attrs.requestVersion;
  if (ownIsRequest && set.rules.some((r) => ruleMatches(r, attrs, ownGvr)))
    return { resource: ownGvr, served: own };
  if (set.matchPolicy !== 'Equivalent') return undefined;
  // Earlier rules first, as upstream.
  for (const rule of set.rules) {
    for (const form of forms) {
      if (form === own && ownIsRequest) continue;
      const gvr = gvrOf(form);
      if (ruleMatches(rule, attrs, gvr)) return { resource: gvr, served: form };
    }
  }
  return undefined;
}

/** The rule match of one webhook, or undefined when its rules do not cover the request. */
export function matchRules(
  registry: Registry,
  webhook: Webhook,
  attrs: AdmissionAttributes,
): Invocation | undefined {
  const match = matchRuleSet(registry, webhook, attrs);
  return match && { webhook, ...match };
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
  webhook: Pick<Webhook, 'objectSelector'>,
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
export function namespaceSelectorApplies(
  webhook: Pick<Webhook, 'namespaceSelector'>,
  attrs: AdmissionAttributes,
): boolean {
  if (!compiledSelector(webhook.namespaceSelector)) return false;
  return !!attrs.namespace || (attrs.def.group === '' && attrs.def.plural === 'namespaces');
}

/** Upstream's GetNamespaceLabels: a namespace being created or updated by its own labels, else the stored ones. */
export async function namespaceLabels(
  storage: ObjectStorage,
  registry: Registry,
  attrs: AdmissionAttributes,
  object: KubeObject | undefined,
): Promise<Record<string, string>> {
  const isNamespace = attrs.def.group === '' && attrs.def.plural === 'namespaces';
  if (isNamespace && !attrs.subresource && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE'))
    return object?.metadata?.labels ?? {};
  const name = attrs.namespace;
  const ns = await storedNamespace(storage, registry, name);
  if (!ns)
    throw new ApiError(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
  return ns.metadata.labels ?? {};
}

/** Both selectors of a webhook or policy match the request. */
export async function selectorsMatch(
  storage: ObjectStorage,
  registry: Registry,
  spec: Pick<Webhook, 'namespaceSelector' | 'objectSelector'>,
  attrs: AdmissionAttributes,
  object: KubeObject | undefined,
  oldObject: KubeObject | undefined,
): Promise<boolean> {
  if (namespaceSelectorApplies(spec, attrs)) {
    const labels = await namespaceLabels(storage, registry, attrs, object);
    if (!compiledSelector(spec.namespaceSelector)!.matches(labels)) return false;
  }
  return objectSelectorMatches(spec, object, oldObject);
}

/** An object as a webhook or policy that matched at `served` sees it (subresource kinds are sent as they are). */
export function objectView(
  served: ServedResource,
  attrs: AdmissionAttributes,
  o: KubeObject | undefined,
): KubeObject | null {
  if (!o) return null;
  return attrs.subresourceKind ? o : servedView(served, o);
}
