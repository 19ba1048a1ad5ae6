/**
 * The ValidatingAdmissionPolicy plugin: each ValidatingAdmissionPolicyBinding applies its policy's CEL
 * validations to the requests both the policy's matchConstraints and the binding's matchResources cover,
 * with the binding's params. A false validation denies the request (`Deny`), adds a warning (`Warn`) or an
 * annotation to the request's audit event (`Audit`); the policy's auditAnnotations annotate it too.
 */
import { forbidden } from '../../api/errors.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import { celDynValue, overBudget } from '../crd/schema/cel-rules.js';
import type { Registry } from '../registry/index.js';
import { servedView } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import { matchRuleSet, objectView, selectorsMatch, type RuleSet } from './matching.js';
import { followStored } from '../watch/follow-stored.js';
import { ADMISSION_GROUP, asArray, asString, rulesOf, storedNamespace } from './stored.js';
import {
  compilePolicyExpression,
  loadPolicyCel,
  type PolicyCelDeclarations,
} from '../registry/strategies/admissionregistration-policy-cel.js';
import type { AdmissionAttributes, LabelSelectorSpec, WebhookRule } from './types.js';

const ANY_RULE: WebhookRule = {
  operations: ['*'],
  apiGroups: ['*'],
  apiVersions: ['*'],
  resources: ['*/*'],
  scope: '*',
};

interface MatchResources extends RuleSet {
  excludeRules: WebhookRule[];
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
}

interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}

interface Policy {
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  paramKind?: { apiVersion: string; kind: string };
  match?: MatchResources;
  matchConditions: { name: string; expression: string }[];
  variables: { name: string; expression: string }[];
  validations: Validation[];
  auditAnnotations: { key: string; valueExpression: string }[];
}

interface Binding {
  name: string;
  policyName: string;
  actions: string[];
  paramRef?: {
    name?: string;
    namespace?: string;
    selector?: LabelSelectorSpec;
    parameterNotFoundAction?: string;
  };
  match?: MatchResources;
}

type Obj = Record<string, unknown>;
type Matched = NonNullable<ReturnType<typeof matchRuleSet>>;

function matchResourcesOf(v: unknown): MatchResources | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Obj;
  return {
    rules: rulesOf(m.resourceRules),
    excludeRules: rulesOf(m.excludeResourceRules),
    matchPolicy: m.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    ...(m.namespaceSelector ? { namespaceSelector: m.namespaceSelector } : {}),
    ...(m.objectSelector ? { objectSelector: m.objectSelector } : {}),
  };
}

function policyOf(o: StoredObject): Policy {
  const spec = (o.spec ?? {}) as Obj;
  const paramKind = spec.paramKind as { apiVersion?: string; kind?: string } | undefined;
  const match = matchResourcesOf(spec.matchConstraints);
  return {
    name: o.metadata.name,
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    ...(paramKind?.kind
      ? { paramKind: { apiVersion: paramKind.apiVersion ?? '', kind: paramKind.kind } }
      : {}),
    ...(match ? { match } : {}),
    matchConditions: asArray(spec.matchConditions),
    variables: asArray(spec.variables),
    validations: asArray(spec.validations),
    auditAnnotations: asArray(spec.auditAnnotations),
  };
}

function bindingOf(o: StoredObject): Binding {
  const spec = (o.spec ?? {}) as Obj;
  const match = matchResourcesOf(spec.matchResources);
  return {
    name: o.metadata.name,
    policyName: asString(spec.policyName) ?? '',
    actions: asArray<string>(spec.validationActions),
    ...(spec.paramRef ? { paramRef: spec.paramRef } : {}),
    ...(match ? { match } : {}),
  };
}

/** upstream's reasonToCode */
function codeOf(reason: string): number {
  switch (reason) {
    case 'Forbidden':
      return 403;
    case 'Unauthorized':
      return 401;
    case 'RequestEntityTooLarge':
      return 413;
    default:
      return 422;
  }
}

interface Decision {
  policy: Policy;
  binding: Binding;
  /** The failed validation's index in the policy (0 for failures of no one validation). */
  index?: number;
  message: string;
  reason: string;
  /** A configuration error (params, namespace): it denies whatever the binding's actions say, as upstream. */
  config?: boolean;
}

/** upstream's MaxEvaluatedMessageExpressionSizeBytes */
const MAX_MESSAGE_BYTES = 5 * 1024;
/** What one warning may carry (upstream truncates long warnings). */
const MAX_WARNING_CHARS = 256;
/** What one auditAnnotation's value may carry (upstream truncates longer ones). */
const MAX_AUDIT_ANNOTATION_CHARS = 10 * 1024;
const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';

export class ValidatingPolicies {
  private readonly policies = new Map<string, Policy>();
  private readonly bindings = new Map<string, Binding>();
  /** The bindings by name, kept sorted as they change rather than per request. */
  private ordered: Binding[] = [];

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
  ) {}

  /** No binding is stored: requests skip the plugin. */
  get none(): boolean {
    return this.bindings.size === 0;
  }

  async track(watchCache: WatchCache): Promise<Subscription[]> {
    const { storage, registry } = this;
    const subs = [
      await followStored(
        storage,
        registry,
        watchCache,
        { group: ADMISSION_GROUP, plural: 'validatingadmissionpolicies' },
        (o) => this.policies.set(o.metadata.name, policyOf(o)),
        (n) => this.policies.delete(n),
      ),
      await followStored(
        storage,
        registry,
        watchCache,
        { group: ADMISSION_GROUP, plural: 'validatingadmissionpolicybindings' },
        (o) => {
          this.bindings.set(o.metadata.name, bindingOf(o));
          this.reorder();
        },
        (n) => {
          this.bindings.delete(n);
          this.reorder();
        },
      ),
    ];
    return subs.filter((sub) => sub !== undefined);
  }

  private reorder(): void {
    this.ordered = [...this.bindings.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Evaluates every binding that covers the request; throws the first denial, warns for `Warn` bindings. */
  async validate(
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    request: (matched: Matched) => Record<string, unknown>,
    warn: (message: string) => void,
  ): Promise<void> {
    if (this.none) return;
    const annotate = attrs.annotate;
    const denied: Decision[] = [];
    for (const binding of this.ordered) {
      const policy = this.policies.get(binding.policyName);
      if (!policy?.match) continue;
      const matched = await this.matches(policy.match, attrs, object, oldObject);
      if (!matched) continue;
      if (binding.match && !(await this.matches(binding.match, attrs, object, oldObject))) continue;
      await loadPolicyCel();
      const { decisions: failures, annotations } = await this.evaluate(
        policy,
        binding,
        attrs,
        matched,
        object,
        oldObject,
        request,
      );
      for (const f of failures) {
        if (f.config || binding.actions.includes('Deny')) denied.push(f);
        if (!f.config && binding.actions.includes('Warn')) {
          const text = `Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${f.message}`;
          warn(text.length > MAX_WARNING_CHARS ? `${text.slice(0, MAX_WARNING_CHARS)}...` : text);
        }
        if (!f.config && annotate && binding.actions.includes('Audit')) {
          // A list, as upstream's (one failure per annotation; the first one stays).
          const value = [
            {
              message: f.message,
              policy: binding.policyName,
              binding: binding.name,
              expressionIndex: f.index ?? 0,
              validationActions: binding.actions,
            },
          ];
          annotate(VALIDATION_FAILURE_ANNOTATION, JSON.stringify(value));
        }
      }
      // Distinct values of one key (from several params) are joined, as upstream's collector does.
      if (annotate)
        for (const [key, values] of annotations) annotate(`${policy.name}/${key}`, values.join(', '));
    }
    const first = denied[0];
    if (!first) return;
    const message = `ValidatingAdmissionPolicy '${first.policy.name}' with binding '${first.binding.name}' denied request: ${first.message}`;
    // As upstream: admission's Forbidden, with the validation's reason and its code.
    const err = forbidden({ group: attrs.def.group, resource: attrs.def.plural }, attrs.name, message);
    err.status.code = codeOf(first.reason);
    err.status.reason = first.reason;
    err.status.details = { ...err.status.details, causes: [{ message }] };
    throw err;
  }

  private async matches(
    m: MatchResources,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
  ): Promise<Matched | undefined> {
    // No resource rules (a binding's matchResources may have none) match every request, at its own version.
    const hit =
      m.rules.length === 0
        ? matchRuleSet(this.registry, { rules: [ANY_RULE], matchPolicy: 'Exact' }, attrs)
        : matchRuleSet(this.registry, m, attrs);
    if (!hit) return undefined;
    if (
      m.excludeRules.length > 0 &&
      matchRuleSet(this.registry, { rules: m.excludeRules, matchPolicy: m.matchPolicy }, attrs)
    )
      return undefined;
    if (!(await selectorsMatch(this.storage, this.registry, m, attrs, object, oldObject))) return undefined;
    return hit;
  }

  /** The failed validations of one binding (for each of its params), errors counted per the failure policy. */
  private async evaluate(
    policy: Policy,
    binding: Binding,
    attrs: AdmissionAttributes,
    matched: Matched,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    request: (matched: Matched) => Record<string, unknown>,
  ): Promise<{ decisions: Decision[]; annotations: Map<string, string[]> }> {
    const annotations = new Map<string, string[]>();
    const done = (decisions: Decision[]) => ({ decisions, annotations });
    const decide = (message: string, reason = 'Invalid', index?: number): Decision => ({
      policy,
      binding,
      message,
      reason,
      ...(index === undefined ? {} : { index }),
    });
    const fail = (message: string): Decision[] =>
      policy.failurePolicy === 'Ignore' ? [] : [decide(message)];
    const configError = (message: string): Decision[] =>
      policy.failurePolicy === 'Ignore' ? [] : [{ ...decide(message), config: true }];
    let paramsList: (KubeObject | null)[] = [null];
    // Without a paramRef the validations run once with params null, as upstream.
    if (policy.paramKind && binding.paramRef) {
      let found: KubeObject[];
      try {
        found = await this.params(policy.paramKind, binding.paramRef, attrs);
      } catch (err) {
        return done(configError(`failed to configure binding: ${(err as Error).message}`));
      }
      if (found.length === 0) {
        if (binding.paramRef.parameterNotFoundAction === 'Allow') return done([]);
        return done(
          configError(
            'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction',
          ),
        );
      }
      paramsList = found;
    }
    const view = (o: KubeObject | undefined): unknown => celDynValue(objectView(matched.served, attrs, o));
    const needsNamespace = [...policy.validations, ...policy.variables, ...policy.matchConditions].some((v) =>
      JSON.stringify(v).includes('namespaceObject'),
    );
    const isNamespace = attrs.def.group === '' && attrs.def.plural === 'namespaces';
    let namespaceObject: KubeObject | null = null;
    if (needsNamespace && attrs.namespace && !isNamespace) {
      namespaceObject = (await storedNamespace(this.storage, this.registry, attrs.namespace)) ?? null;
      if (!namespaceObject) return done(configError(`namespace "${attrs.namespace}" not found`));
    }
    const requestValue = celDynValue(request(matched));
    const objectValue = view(object);
    const oldObjectValue = view(oldObject);
    const decls: PolicyCelDeclarations = {
      params: !!policy.paramKind,
      authorizer: true,
      variables: policy.variables.length > 0,
    };
    const decisions: Decision[] = [];
    for (const params of paramsList) {
      const vars: Record<string, unknown> = {
        object: objectValue,
        oldObject: oldObjectValue,
        request: requestValue,
        params: celDynValue(params),
        namespaceObject: celDynValue(namespaceObject),
      };
      // Match conditions: any false skips the policy; errors count (per failure policy) only when none is false.
      let conditionError: string | undefined;
      let skip = false;
      for (const c of policy.matchConditions) {
        const r = run(c.expression, vars, { ...decls, variables: false });
        if (r === false) {
          skip = true;
          break;
        }
        if (r !== true)
          conditionError ??= `failed to evaluate match condition ${JSON.stringify(c.name)}: ${describe(r)}`;
      }
      if (skip) continue;
      if (conditionError) {
        decisions.push(...fail(conditionError));
        continue;
      }
      const variables: Record<string, unknown> = {};
      vars.variables = variables;
      for (const v of policy.variables) {
        const r = run(v.expression, vars, decls);
        if (!(r instanceof Error)) variables[v.name] = r;
      }
      policy.validations.forEach((validation, index) => {
        const r = run(validation.expression, vars, decls);
        if (r === true) return;
        if (r instanceof Error) {
          const message = `expression '${validation.expression}' resulted in error: ${r.message}`;
          if (policy.failurePolicy !== 'Ignore') decisions.push(decide(message, 'Invalid', index));
          return;
        }
        // Anything but true fails the validation (upstream compares with CEL's true).
        decisions.push(
          decide(failureMessage(validation, vars, decls), validation.reason || 'Invalid', index),
        );
      });
      // Evaluated only for an audited request: they have no other effect.
      if (attrs.annotate) decisions.push(...this.auditAnnotations(policy, vars, decls, annotations, fail));
    }
    return done(decisions);
  }

  /** The policy's auditAnnotations: a string is kept (per key, distinct values), null or "" leaves it out. */
  private auditAnnotations(
    policy: Policy,
    vars: Record<string, unknown>,
    decls: PolicyCelDeclarations,
    annotations: Map<string, string[]>,
    fail: (message: string) => Decision[],
  ): Decision[] {
    const failures: Decision[] = [];
    for (const { key, valueExpression } of policy.auditAnnotations) {
      const r = run(valueExpression, vars, decls);
      if (r instanceof Error) {
        failures.push(...fail(`valueExpression '${valueExpression}' resulted in error: ${r.message}`));
        continue;
      }
      if (r === null || r === '') continue;
      if (typeof r !== 'string') {
        failures.push(
          ...fail(
            `valueExpression '${valueExpression}' resulted in unsupported return type: ${celTypeName(r)}. ` +
              'Return type must be either string or null.',
          ),
        );
        continue;
      }
      const value = r.length > MAX_AUDIT_ANNOTATION_CHARS ? r.slice(0, MAX_AUDIT_ANNOTATION_CHARS) : r;
      const values = annotations.get(key) ?? [];
      if (!values.includes(value)) annotations.set(key, [...values, value]);
    }
    return failures;
  }

  /** The binding's params: one object by name, or every object its selector matches. */
  private async params(
    kind: { apiVersion: string; kind: string },
    ref: NonNullable<Binding['paramRef']>,
    attrs: AdmissionAttributes,
  ): Promise<KubeObject[]> {
    const slash = kind.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : kind.apiVersion.slice(0, slash);
    const version = slash < 0 ? kind.apiVersion : kind.apiVersion.slice(slash + 1);
    const served = this.registry.resourcesIn(group, version).find((s) => s.def.kind === kind.kind);
    if (!served)
      throw new Error(`failed to find resource for param kind ${kind.apiVersion}, Kind=${kind.kind}`);
    const namespace = served.def.namespaced ? ref.namespace || attrs.namespace : undefined;
    if (served.def.namespaced && !namespace)
      throw new Error(
        'cannot use a namespaced param kind for a cluster-scoped request without paramRef.namespace',
      );
    if (ref.name) {
      const one = await this.storage.get(served.def, namespace, ref.name);
      return one ? [servedView(served, one)] : [];
    }
    const selector = labelSelectorFromObject(ref.selector ?? {});
    const page = await this.storage.list(served.def, { ...(namespace ? { namespace } : {}) });
    return page.items
      .filter((o) => selector.matches(o.metadata.labels ?? {}))
      .map((o) => servedView(served, o));
  }
}

function run(expression: string, vars: Record<string, unknown>, decls: PolicyCelDeclarations): unknown {
  const program = compilePolicyExpression(expression, decls);
  if (program instanceof Error) return program;
  if (overBudget(expression, vars)) return new Error('call cost exceeds limit');
  try {
    return program(vars);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** CEL's name of a value's type, for messages. */
function celTypeName(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map || (typeof v === 'object' && v !== null)) return 'map';
  return typeof v;
}

function describe(r: unknown): string {
  return r instanceof Error ? r.message : `expected a bool, got ${typeof r}`;
}

/** messageExpression when it gives a non-empty string, else message, else upstream's default. */
function failureMessage(v: Validation, vars: Record<string, unknown>, decls: PolicyCelDeclarations): string {
  if (v.messageExpression) {
    const m = run(v.messageExpression, vars, { ...decls, authorizer: false });
    const text = typeof m === 'string' ? m.trim() : '';
    if (text !== '' && !text.includes('\n') && Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text;
  }
  return v.message?.trim() || `failed expression: ${v.expression.trim()}`;
}
