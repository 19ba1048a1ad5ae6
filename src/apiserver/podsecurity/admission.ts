/**
 * The PodSecurity admission plugin (Pod Security Admission, enabled by default upstream): pods are checked
 * against their namespace's `enforce` level (a violation is refused with upstream's 403) and `warn` level (a
 * `Warning` header); pod templates of workload resources get the warnings only, since their pods are checked when
 * created; a namespace's labels must parse, and raising its enforce level warns about the pods already there.
 * Namespaces without Pod Security labels get the configured defaults (config.ts; privileged unless set, and then
 * nothing is evaluated); exempt users, namespaces and runtime classes are let through. With an audit log, each
 * request's event gets upstream's annotations: the enforced policy, the `audit` level's violations, an exemption.
 */
import type { Pod, PodSpec, Container, EphemeralContainer } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { fieldErrorsSummary, forbidden, invalid, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import type { PodSecurityConfig, PodSecurityExemptions } from './config.js';
import {
  compareLevels,
  hasPolicyLabels,
  namespacePolicy,
  PRIVILEGED,
  type NamespacePolicy,
  policyName,
  sameLevelVersion,
  versionName,
  type LevelVersion,
} from './namespace-policy.js';
import type { CheckResult } from './policy/index.js';

type Evaluate = (
  lv: LevelVersion,
  meta: ObjectMeta | undefined,
  podSpec: PodSpec | undefined,
) => CheckResult[];
let evaluator: Promise<Evaluate> | undefined;

/**
 * The Pod Security Standards checks, loaded when a namespace first needs them: a server whose namespaces carry
 * no Pod Security labels never holds them in memory.
 */
function loadEvaluate(): Promise<Evaluate> {
  evaluator ??= import('./policy/index.js').then(
    ({ evaluatePod }): Evaluate =>
      (lv, meta, podSpec) =>
        lv.level === 'privileged' ? [] : evaluatePod(lv.level, lv.version, meta, podSpec),
  );
  return evaluator;
}

/** What the plugin reads of the cluster. */
export interface PodSecurityLookups {
  /** A namespace's labels; undefined when it has none (or does not exist). */
  namespaceLabels(
    namespace: string,
  ): Record<string, string> | undefined | Promise<Record<string, string> | undefined>;
  /** The pods of a namespace. */
  listPods(namespace: string): Promise<Pod[]>;
}

export interface PodSecurityRequest {
  def: ResourceDef;
  obj: KubeObject;
  /** The requesting user's name, when the write comes from a request. */
  user?: string;
  /** The stored object, for updates. */
  old?: KubeObject;
  subresource?: string;
  warn: (message: string) => void;
  /** Adds an audit annotation to the request's event; given only when the request is audited. */
  annotate?: (key: string, value: string) => void;
}

const ANNOTATION_PREFIX = 'pod-security.kubernetes.io/';
/** Upstream's answer for a namespace where every mode is privileged. */
const PRIVILEGED_POLICY_NAME = 'privileged:latest';

/** Pod subresources that cannot change what the policy looks at. */
const IGNORED_POD_SUBRESOURCES = new Set([
  'exec',
  'attach',
  'binding',
  'eviction',
  'log',
  'portforward',
  'proxy',
  'status',
]);

interface PodTemplateLike {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** Where each workload resource keeps its pod template. */
const TEMPLATES: Record<string, (obj: KubeObject) => PodTemplateLike | undefined> = {
  '/replicationcontrollers': (o) => spec(o)?.template as PodTemplateLike | undefined,
  '/podtemplates': (o) => (o as { template?: PodTemplateLike }).template,
  'apps/replicasets': (o) => spec(o)?.template as PodTemplateLike | undefined,
  'apps/deployments': (o) => spec(o)?.template as PodTemplateLike | undefined,
  'apps/statefulsets': (o) => spec(o)?.template as PodTemplateLike | undefined,
  'apps/daemonsets': (o) => spec(o)?.template as PodTemplateLike | undefined,
  'batch/jobs': (o) => spec(o)?.template as PodTemplateLike | undefined,
  'batch/cronjobs': (o) =>
    (spec(o)?.jobTemplate as { spec?: { template?: PodTemplateLike } } | undefined)?.spec?.template,
};

function spec(o: KubeObject): Record<string, unknown> | undefined {
  return (o as { spec?: Record<string, unknown> }).spec;
}

/** Whether a resource is one the plugin looks at (pods, namespaces and workloads with pod templates). */
export function podSecurityApplies(def: ResourceDef): boolean {
  const key = `${def.group}/${def.plural}`;
  return key === '/pods' || key === '/namespaces' || key in TEMPLATES;
}

export class PodSecurityAdmission {
  private readonly defaults: NamespacePolicy;
  private readonly exemptions: PodSecurityExemptions;
  /** Whether namespaces without labels need evaluating (defaults other than privileged). */
  private readonly strictDefaults: boolean;

  constructor(
    private readonly lookups: PodSecurityLookups,
    config?: PodSecurityConfig,
  ) {
    this.defaults = config?.defaults ?? PRIVILEGED;
    this.exemptions = config?.exemptions ?? { usernames: [], namespaces: [], runtimeClasses: [] };
    this.strictDefaults = Object.values(this.defaults).some((lv) => lv.level !== 'privileged');
  }

  async admit(req: PodSecurityRequest): Promise<void> {
    const key = `${req.def.group}/${req.def.plural}`;
    if (key === '/namespaces') return this.admitNamespace(req);
    if (key === '/pods' && req.subresource && IGNORED_POD_SUBRESOURCES.has(req.subresource)) return;
    if (key !== '/pods' && (req.subresource || !TEMPLATES[key])) return;
    if (this.exemptions.namespaces.includes(req.obj.metadata?.namespace ?? ''))
      return req.annotate?.(`${ANNOTATION_PREFIX}exempt`, 'namespace');
    if (req.user && this.exemptions.usernames.includes(req.user))
      return req.annotate?.(`${ANNOTATION_PREFIX}exempt`, 'user');
    if (key === '/pods') return this.admitPod(req);
    const template = TEMPLATES[key];
    if (template && !req.subresource) return this.admitTemplate(req, template(req.obj));
  }

  private async policyOf(obj: KubeObject) {
    const namespace = obj.metadata?.namespace ?? '';
    const found = this.lookups.namespaceLabels(namespace);
    const labels = found instanceof Promise ? await found : found;
    return this.strictDefaults || hasPolicyLabels(labels)
      ? namespacePolicy(labels, this.defaults)
      : undefined;
  }

  private exemptRuntimeClass(spec: PodSpec | undefined): boolean {
    const name = spec?.runtimeClassName;
    return !!name && this.exemptions.runtimeClasses.includes(name);
  }

  /** The modes that need evaluating: `audit` only when there is an event to annotate. */
  private fullyPrivileged(policy: NamespacePolicy, audited: boolean): boolean {
    return (
      policy.enforce.level === 'privileged' &&
      policy.warn.level === 'privileged' &&
      (!audited || policy.audit.level === 'privileged')
    );
  }

  private async admitPod(req: PodSecurityRequest): Promise<void> {
    const annotate = req.annotate;
    const ns = await this.policyOf(req.obj);
    if (!ns || (ns.errors.length === 0 && this.fullyPrivileged(ns.policy, !!annotate))) {
      annotate?.(`${ANNOTATION_PREFIX}enforce-policy`, PRIVILEGED_POLICY_NAME);
      return;
    }
    const { policy } = ns;
    const pod = req.obj as Pod;
    if (req.old && !isSignificantPodUpdate(pod, req.old as Pod)) return;
    if (this.exemptRuntimeClass(pod.spec)) return annotate?.(`${ANNOTATION_PREFIX}exempt`, 'runtimeClass');
    if (annotate) annotateParseErrors(annotate, ns.errors);
    annotate?.(`${ANNOTATION_PREFIX}enforce-policy`, policyName(policy.enforce));
    const evaluate = await loadEvaluate();
    const enforced = evaluate(policy.enforce, pod.metadata, pod.spec);
    if (annotate) this.auditViolations(annotate, policy, enforced, evaluate, pod);
    if (enforced.length > 0) {
      throw forbidden(
        { group: '', resource: 'pods' },
        pod.metadata?.name ?? '',
        `violates PodSecurity "${policyName(policy.enforce)}": ${forbiddenDetail(enforced)}`,
      );
    }
    const warned = sameLevelVersion(policy.warn, policy.enforce)
      ? []
      : evaluate(policy.warn, pod.metadata, pod.spec);
    if (warned.length > 0) req.warn(wouldViolate(policy.warn, warned));
  }

  /** The `audit` level's violations as an annotation (the enforce results reused when the levels agree). */
  private auditViolations(
    annotate: NonNullable<PodSecurityRequest['annotate']>,
    policy: NamespacePolicy,
    enforced: CheckResult[] | undefined,
    evaluate: Evaluate,
    pod: PodTemplateLike,
  ): void {
    const audited =
      enforced && sameLevelVersion(policy.audit, policy.enforce)
        ? enforced
        : evaluate(policy.audit, pod.metadata, pod.spec);
    if (audited.length > 0)
      annotate(`${ANNOTATION_PREFIX}audit-violations`, wouldViolate(policy.audit, audited));
  }

  private async admitTemplate(req: PodSecurityRequest, template: PodTemplateLike | undefined): Promise<void> {
    if (!template) return;
    const ns = await this.policyOf(req.obj);
    if (!ns || (ns.errors.length === 0 && this.fullyPrivileged(ns.policy, !!req.annotate))) return;
    if (this.exemptRuntimeClass(template.spec))
      return req.annotate?.(`${ANNOTATION_PREFIX}exempt`, 'runtimeClass');
    if (req.annotate) annotateParseErrors(req.annotate, ns.errors);
    const evaluate = await loadEvaluate();
    if (req.annotate) this.auditViolations(req.annotate, ns.policy, undefined, evaluate, template);
    if (ns.policy.warn.level === 'privileged') return;
    const warned = evaluate(ns.policy.warn, template.metadata, template.spec);
    if (warned.length > 0) req.warn(wouldViolate(ns.policy.warn, warned));
  }

  private async admitNamespace(req: PodSecurityRequest): Promise<void> {
    if (req.subresource) return;
    const name = req.obj.metadata?.name ?? '';
    const now = namespacePolicy(req.obj.metadata?.labels, this.defaults);
    if (!req.old) {
      if (now.errors.length > 0) throw invalid('Namespace', '', name, now.errors);
      return;
    }
    const before = namespacePolicy(req.old.metadata?.labels, this.defaults);
    if (now.errors.length > 0 && JSON.stringify(now.errors) !== JSON.stringify(before.errors)) {
      throw invalid('Namespace', '', name, now.errors);
    }
    const [next, prev] = [now.policy.enforce, before.policy.enforce];
    if (sameLevelVersion(next, prev) || next.level === 'privileged') return;
    if (versionName(next.version) === versionName(prev.version) && compareLevels(next.level, prev.level) < 1)
      return;
    for (const warning of await this.existingPodWarnings(name, next)) req.warn(warning);
  }

  /** Upstream's warnings for the pods a new enforce level would refuse, grouped by their reasons. */
  private async existingPodWarnings(namespace: string, enforce: LevelVersion): Promise<string[]> {
    let pods: Pod[];
    try {
      pods = await this.lookups.listPods(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const evaluate = await loadEvaluate();
    const candidates = prioritize(pods.filter((p) => !this.exemptRuntimeClass(p.spec)));
    const checked = candidates.slice(0, MAX_PODS_TO_CHECK);
    const byReason = new Map<string, { first: string; count: number }>();
    for (const pod of checked) {
      const results = evaluate(enforce, pod.metadata, pod.spec);
      if (results.length === 0) continue;
      const reason = results.map((r) => r.forbiddenReason).join(', ');
      const name = pod.metadata?.name ?? '';
      const seen = byReason.get(reason);
      if (!seen) byReason.set(reason, { first: name, count: 1 });
      else {
        seen.count++;
        if (name < seen.first) seen.first = name;
      }
    }
    const warnings: string[] = [];
    if (checked.length < candidates.length) {
      warnings.push(
        `new PodSecurity enforce level only checked against the first ${checked.length} of ${candidates.length} existing pods`,
      );
    }
    if (byReason.size === 0) return warnings;
    warnings.push(
      `existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${policyName(enforce)}"`,
    );
    const perPod = [...byReason].map(([reason, { first, count }]) => {
      if (count === 1) return `${first}: ${reason}`;
      return `${first} (and ${count - 1} other pod${count === 2 ? '' : 's'}): ${reason}`;
    });
    return [...warnings, ...perPod.sort(compareCodeUnits)];
  }
}

const MAX_PODS_TO_CHECK = 3000;

/** Labels that did not parse (their modes are evaluated at restricted:latest), as upstream's `error` annotation. */
function annotateParseErrors(
  annotate: NonNullable<PodSecurityRequest['annotate']>,
  errors: FieldError[],
): void {
  if (errors.length === 0) return;
  annotate(`${ANNOTATION_PREFIX}error`, `Failed to parse policy: ${fieldErrorsSummary(errors)}`);
}

/** `reason (detail), reason, …` as upstream's AggregateCheckResult.ForbiddenDetail. */
function forbiddenDetail(results: CheckResult[]): string {
  return results
    .map((r) => (r.forbiddenDetail ? `${r.forbiddenReason} (${r.forbiddenDetail})` : r.forbiddenReason))
    .join(', ');
}

function wouldViolate(lv: LevelVersion, results: CheckResult[]): string {
  return `would violate PodSecurity "${policyName(lv)}": ${forbiddenDetail(results)}`;
}

/** One pod per controller first (then the other replicas), so a cut at the limit still sees every workload. */
function prioritize(pods: Pod[]): Pod[] {
  const first: Pod[] = [];
  const replicas: Pod[] = [];
  const seen = new Set<string>();
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
    if (owner === undefined) first.push(pod);
    else if (seen.has(owner)) replicas.push(pod);
    else {
      seen.add(owner);
      first.push(pod);
    }
  }
  return [...first, ...replicas];
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether an update changes what the policy looks at: of a pod's mutable fields, the images, the seccomp
 * annotations and added ephemeral containers (upstream's isSignificantPodUpdate).
 */
export function isSignificantPodUpdate(pod: Pod, old: Pod): boolean {
  const ann = pod.metadata?.annotations ?? {};
  const oldAnn = old.metadata?.annotations ?? {};
  const seccompPod = 'seccomp.security.alpha.kubernetes.io/pod';
  if (ann[seccompPod] !== oldAnn[seccompPod]) return true;
  const changed = (c: Container | EphemeralContainer, o: Container | EphemeralContainer): boolean => {
    const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    return c.image !== o.image || ann[key] !== oldAnn[key];
  };
  const pairs = (a: Container[] = [], b: Container[] = []): boolean =>
    a.length !== b.length || a.some((c, i) => changed(c, b[i]!));
  if (pairs(pod.spec?.containers, old.spec?.containers)) return true;
  if (pairs(pod.spec?.initContainers, old.spec?.initContainers)) return true;
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    const before = old.spec?.ephemeralContainers?.find((o) => o.name === c.name);
    if (!before || changed(c, before)) return true;
  }
  return false;
}
