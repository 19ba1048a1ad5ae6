/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins: for each write, the configured webhooks
 * whose rules, selectors and matchConditions cover it are called with an AdmissionReview. Mutating webhooks run
 * one after another and may patch the object (JSONPatch), with upstream's single reinvocation round for
 * `reinvocationPolicy: IfNeeded`; validating webhooks run in parallel and may only refuse. A call that fails
 * refuses the write under `failurePolicy: Fail` and is skipped under `Ignore`.
 */
import { ApiError, badRequest, forbidden, internalError } from '../../api/errors.js';
import { cloneJson, deepEqual, type KubeObject } from '../../api/meta.js';
import { celDynValue, overBudget } from '../crd/schema/cel-rules.js';
import {
  compileMatchCondition,
  loadMatchConditionCel,
} from '../registry/strategies/admissionregistration-cel.js';
import type { Registry, ServedResource } from '../registry/index.js';
import { servedView } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Logger } from '../../util/logger.js';
import { callWebhook, reviewVersionFor, WebhookCallError, type ServiceResolver } from './call.js';
import type { WebhookConfigurations } from './configurations.js';
import type { ValidatingPolicies } from './policies.js';
import { isExemptResource, matchRules, objectView, selectorsMatch, type Invocation } from './matching.js';
import { storedNamespace } from './stored.js';
import type { AdmissionAttributes, Webhook, WebhookAnswer } from './types.js';

export interface WebhookAdmissionDeps {
  configurations: WebhookConfigurations;
  /** ValidatingAdmissionPolicies and their bindings, evaluated before validating webhooks (upstream's order). */
  policies?: ValidatingPolicies;
  registry: Registry;
  storage: ObjectStorage;
  newUid(): string;
  logger: Logger;
  resolveService: ServiceResolver;
  /** The JSON patch engine (RFC 6902), which never changes the object it patches. */
  applyJsonPatch(obj: KubeObject, ops: unknown[]): unknown;
  /**
   * Types a patched object as a request body at its served version (wrong types throw, unknown fields are
   * dropped, custom resources pruned), in place.
   */
  decodeObject(obj: KubeObject, served: ServedResource): void;
}

type Warn = (message: string) => void;

/** upstream's webhookerrors.ToStatusErr: a refusal, as kubectl prints it. */
function refusal(attrs: AdmissionAttributes, webhook: string, status: WebhookAnswer['status']): ApiError {
  const code = status?.code || 403;
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const why = status?.message
    ? `${deniedBy}: ${status.message}`
    : status?.reason
      ? `${deniedBy}: ${status.reason}`
      : `${deniedBy} without explanation`;
  const err =
    code === 500
      ? internalError(new Error(why))
      : forbidden({ group: attrs.def.group, resource: attrs.def.plural }, attrs.name || 'Unknown', why);
  err.status.code = code;
  if (status?.reason) err.status.reason = status.reason;
  if (status?.details) err.status.details = status.details;
  return err;
}

function callFailure(webhook: Webhook, err: Error): ApiError {
  return internalError(new Error(`failed calling webhook ${JSON.stringify(webhook.name)}: ${err.message}`));
}

/** A match condition's value, or the Error that kept it from one. */
function evaluate(expression: string, variables: Record<string, unknown>): unknown {
  const program = compileMatchCondition(expression);
  if (program instanceof Error) return program;
  try {
    return program(variables);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export class WebhookAdmission {
  constructor(private readonly deps: WebhookAdmissionDeps) {}

  /** No webhook is configured: writes skip this plugin entirely. */
  get idle(): boolean {
    return this.deps.configurations.none && (this.deps.policies?.none ?? true);
  }

  /**
   * Runs the mutating webhooks over `object` (canonical version) and returns the result, `object` itself when
   * nothing changed. Throws the refusal or failure that stops the write.
   */
  async mutate(
    attrs: AdmissionAttributes,
    object: KubeObject,
    oldObject: KubeObject | undefined,
    warn: Warn,
  ): Promise<KubeObject> {
    return (await this.runMutating(attrs, object, oldObject, warn)) ?? object;
  }

  /** A DELETE: mutating webhooks (which may only refuse it), then validating ones. */
  async admitDelete(attrs: AdmissionAttributes, oldObject: KubeObject, warn: Warn): Promise<void> {
    await this.runMutating(attrs, undefined, oldObject, warn);
    await this.validate(attrs, undefined, oldObject, warn);
  }

  /** A CONNECT (exec, attach, portforward): the options object goes to mutating, then validating webhooks. */
  async admitConnect(attrs: AdmissionAttributes, options: KubeObject, warn: Warn): Promise<void> {
    await this.runMutating(attrs, options, undefined, warn);
    await this.validate(attrs, options, undefined, warn);
  }

  private async runMutating(
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    warn: Warn,
  ): Promise<KubeObject | undefined> {
    const hooks = this.deps.configurations.mutating.webhooks;
    if (hooks.length === 0 || isExemptResource(attrs.def.group, attrs.def.plural)) return object;
    let current = object;
    const invokedReinvocable: Webhook[] = [];
    let reinvoke = new Set<Webhook>();
    for (const [index, webhook] of hooks.entries()) {
      const invocation = await this.invocation(webhook, attrs, current, oldObject);
      if (!invocation) continue;
      const next = await this.callMutating(
        invocation,
        attrs,
        current,
        oldObject,
        warn,
        `round_0_index_${index}`,
      );
      if (next !== current) {
        current = next;
        reinvoke = new Set(invokedReinvocable);
      }
      if (webhook.reinvocationPolicy === 'IfNeeded') invokedReinvocable.push(webhook);
    }
    // One more round for IfNeeded webhooks that saw the object before a later webhook changed it.
    for (const [index, webhook] of hooks.entries()) {
      if (!reinvoke.has(webhook)) continue;
      const invocation = await this.invocation(webhook, attrs, current, oldObject);
      if (invocation)
        current = await this.callMutating(
          invocation,
          attrs,
          current,
          oldObject,
          warn,
          `round_1_index_${index}`,
        );
    }
    return current;
  }

  /** Calls the validating webhooks in parallel; throws the first refusal or failure. */
  async validate(
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    warn: Warn,
  ): Promise<void> {
    if (isExemptResource(attrs.def.group, attrs.def.plural)) return;
    await this.deps.policies?.validate(attrs, object, oldObject, (m) => this.policyRequest(attrs, m), warn);
    const hooks = this.deps.configurations.validating.webhooks;
    if (hooks.length === 0) return;
    const invocations: Invocation[] = [];
    for (const webhook of hooks) {
      const invocation = await this.invocation(webhook, attrs, object, oldObject);
      if (invocation) invocations.push(invocation);
    }
    const outcomes = await Promise.all(
      invocations.map(async (inv) => {
        try {
          const answer = await this.call(inv, attrs, object, oldObject, warn);
          return answer.allowed ? undefined : refusal(attrs, inv.webhook.name, answer.status);
        } catch (err) {
          return this.failure(inv.webhook, err);
        }
      }),
    );
    const first = outcomes.find((o) => o !== undefined);
    if (first) throw first;
  }

  /**
   * One mutating webhook's call; an audited request gets upstream's annotations under `slot`
   * (`round_<r>_index_<i>`, the webhook's place among all mutating webhooks): whether it mutated the object
   * (whatever the outcome), its patch (from level Request), and a failure let through by `Ignore`.
   */
  private async callMutating(
    inv: Invocation,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    warn: Warn,
    slot: string,
  ): Promise<KubeObject | undefined> {
    const annotate = attrs.annotate;
    if (!annotate) return this.callOne(inv, attrs, object, oldObject, warn);
    const who = { configuration: inv.webhook.configuration, webhook: inv.webhook.name };
    let result = object;
    try {
      result = await this.callOne(inv, attrs, object, oldObject, warn, {
        patched: (patch) =>
          annotate(
            `patch.webhook.admission.k8s.io/${slot}`,
            JSON.stringify({ ...who, patch, patchType: 'JSONPatch' }),
            'Request',
          ),
        failedOpen: () => annotate(`failed-open.mutation.webhook.admission.k8s.io/${slot}`, inv.webhook.name),
      });
      return result;
    } finally {
      annotate(
        `mutation.webhook.admission.k8s.io/${slot}`,
        JSON.stringify({ ...who, mutated: result !== object }),
      );
    }
  }

  private async callOne(
    inv: Invocation,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    warn: Warn,
    observe?: { patched(patch: unknown[]): void; failedOpen(): void },
  ): Promise<KubeObject | undefined> {
    let answer: WebhookAnswer;
    try {
      answer = await this.call(inv, attrs, object, oldObject, warn);
    } catch (err) {
      const failure = this.failure(inv.webhook, err);
      if (failure) throw failure;
      if (!(err instanceof ApiError)) observe?.failedOpen();
      return object;
    }
    if (!answer.allowed) throw refusal(attrs, inv.webhook.name, answer.status);
    if (!answer.patch) return object;
    if (!object || attrs.operation === 'DELETE' || attrs.operation === 'CONNECT')
      throw internalError(
        new Error(
          `admission webhook ${JSON.stringify(inv.webhook.name)} attempted to modify the object, which is not supported for this operation`,
        ),
      );
    const before = servedView(inv.served, object);
    let patched: unknown;
    try {
      patched = this.deps.applyJsonPatch(before, answer.patch);
    } catch (err) {
      throw internalError(err);
    }
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched))
      throw internalError(new Error('the patched object is not an object'));
    // As upstream decodes the patched JSON into the typed object: what does not type is the webhook's error.
    try {
      this.deps.decodeObject(patched as KubeObject, inv.served);
    } catch (err) {
      throw internalError(err);
    }
    observe?.patched(answer.patch);
    if (deepEqual(patched, before)) return object;
    const served = inv.served;
    const canonical = served.alias
      ? served.alias.toCanonical(cloneJson(patched as KubeObject))
      : (patched as KubeObject);
    canonical.apiVersion = object.apiVersion;
    canonical.kind = object.kind;
    return canonical;
  }

  /** What a failed call means: undefined (skip) under Ignore, else the error that stops the write. */
  private failure(webhook: Webhook, err: unknown): ApiError | undefined {
    if (err instanceof ApiError) return err;
    const error = err instanceof Error ? err : new Error(String(err));
    if (webhook.failurePolicy === 'Ignore') {
      this.deps.logger.warn('failed calling webhook, failing open', {
        webhook: webhook.name,
        error: error.message,
      });
      return undefined;
    }
    this.deps.logger.warn('failed calling webhook, failing closed', {
      webhook: webhook.name,
      error: error.message,
    });
    return callFailure(webhook, error);
  }

  private async call(
    inv: Invocation,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    warn: Warn,
  ): Promise<WebhookAnswer> {
    const { webhook } = inv;
    if (attrs.dryRun && webhook.sideEffects !== 'None' && webhook.sideEffects !== 'NoneOnDryRun')
      throw badRequest(`admission webhook ${JSON.stringify(webhook.name)} does not support dry run`);
    const version = reviewVersionFor(webhook.admissionReviewVersions);
    if (!version)
      throw new WebhookCallError(
        `webhook does not accept known AdmissionReview versions: ${JSON.stringify(webhook.admissionReviewVersions)}`,
      );
    const request = this.reviewRequest(inv, attrs, object, oldObject);
    const answer = await callWebhook(
      webhook.clientConfig,
      this.deps.resolveService,
      request,
      version,
      webhook.timeoutSeconds,
      webhook.mutating,
    );
    for (const w of answer.warnings) warn(w);
    if (attrs.annotate && answer.auditAnnotations) {
      for (const [key, value] of Object.entries(answer.auditAnnotations))
        attrs.annotate(`${webhook.name}/${key}`, value);
    }
    return answer;
  }

  /** CEL's `request` variable: the AdmissionRequest at the version that matched, without the objects. */
  private requestVariable(
    attrs: AdmissionAttributes,
    matched: Omit<Invocation, 'webhook'>,
  ): Record<string, unknown> {
    const request: Record<string, unknown> = this.reviewRequest(
      { webhook: undefined as never, ...matched },
      attrs,
      undefined,
      undefined,
    );
    delete request.object;
    delete request.oldObject;
    return request;
  }

  /** A policy's `request` variable (upstream's policy requests carry no uid). */
  private policyRequest(
    attrs: AdmissionAttributes,
    matched: Omit<Invocation, 'webhook'>,
  ): Record<string, unknown> {
    const request = this.requestVariable(attrs, matched);
    delete request.uid;
    return request;
  }

  /** The AdmissionReview's request, with the objects at the version of the rule that matched. */
  private reviewRequest(
    inv: Invocation,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
  ): Record<string, unknown> & { uid: string } {
    const { def } = attrs;
    const kind = attrs.subresourceKind ?? {
      group: inv.resource.group,
      version: inv.resource.version,
      kind: def.kind,
    };
    const requestKind = attrs.subresourceKind ?? {
      group: attrs.requestGroup,
      version: attrs.requestVersion,
      kind: def.kind,
    };
    const user = attrs.user;
    const request: Record<string, unknown> & { uid: string } = {
      uid: this.deps.newUid(),
      kind,
      resource: inv.resource,
      requestKind,
      requestResource: { group: attrs.requestGroup, version: attrs.requestVersion, resource: def.plural },
      name: attrs.name,
      operation: attrs.operation,
      userInfo: {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.groups.length > 0 ? { groups: user.groups } : {}),
        ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
      },
      object: objectView(inv.served, attrs, object),
      oldObject: objectView(inv.served, attrs, oldObject),
      dryRun: attrs.dryRun,
    };
    if (attrs.subresource) {
      request.subResource = attrs.subresource;
      request.requestSubResource = attrs.subresource;
    }
    if (attrs.namespace) request.namespace = attrs.namespace;
    if (attrs.options) request.options = attrs.options;
    return request;
  }

  /** The webhook's invocation for this request, or undefined when its rules, selectors or conditions say no. */
  private async invocation(
    webhook: Webhook,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
  ): Promise<Invocation | undefined> {
    const invocation = matchRules(this.deps.registry, webhook, attrs);
    if (!invocation) return undefined;
    const { storage, registry } = this.deps;
    if (!(await selectorsMatch(storage, registry, webhook, attrs, object, oldObject))) return undefined;
    if (
      webhook.matchConditions.length > 0 &&
      !(await this.conditionsHold(invocation, attrs, object, oldObject))
    )
      return undefined;
    return invocation;
  }

  /**
   * matchConditions: every one must be true. An expression that fails to evaluate refuses the request under
   * `failurePolicy: Fail` and skips the webhook under `Ignore`.
   */
  private async conditionsHold(
    inv: Invocation,
    attrs: AdmissionAttributes,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
  ): Promise<boolean> {
    await loadMatchConditionCel();
    const needsNamespace =
      !!attrs.namespace && inv.webhook.matchConditions.some((c) => c.expression.includes('namespaceObject'));
    const namespace = needsNamespace
      ? await storedNamespace(this.deps.storage, this.deps.registry, attrs.namespace)
      : undefined;
    const variables = {
      object: celDynValue(objectView(inv.served, attrs, object)),
      oldObject: celDynValue(objectView(inv.served, attrs, oldObject)),
      request: celDynValue(this.requestVariable(attrs, inv)),
      namespaceObject: celDynValue(namespace ?? null),
    };
    // As upstream's matcher: any false condition skips the webhook, errors count only when none is false.
    let failure: string | undefined;
    for (const condition of inv.webhook.matchConditions) {
      if (overBudget(condition.expression, variables)) {
        failure ??= `match condition ${JSON.stringify(condition.name)}: call cost exceeds limit`;
        continue;
      }
      const result = evaluate(condition.expression, variables);
      if (result === false) return false;
      if (result === true) continue;
      failure ??=
        result instanceof Error
          ? `failed to evaluate match condition ${JSON.stringify(condition.name)}: ${result.message}`
          : `match condition ${JSON.stringify(condition.name)} did not return a bool`;
    }
    if (failure) {
      if (inv.webhook.failurePolicy === 'Ignore') return false;
      throw forbidden({ group: attrs.def.group, resource: attrs.def.plural }, attrs.name, failure);
    }
    return true;
  }
}
