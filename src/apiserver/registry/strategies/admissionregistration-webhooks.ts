/**
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration (admissionregistration.k8s.io/v1, cluster-scoped):
 * upstream's v1 defaults (pkg/apis/admissionregistration/v1/defaults.go) and validation. Their generation
 * starts at 1 and follows changes to `webhooks` (the catalog marks them generation-tracked).
 *
 * The defaulting helpers are pure and exported for callers that read webhooks (the admission dispatcher).
 */
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { loadMatchConditionCel } from './admissionregistration-cel.js';
import { validateWebhookConfiguration, type WebhookKind } from './admissionregistration-validation.js';
import { arr, obj, present, type Obj } from './util.js';

export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_SERVICE_PORT = 443;

function setIfAbsent(target: Obj, key: string, value: unknown): void {
  if (!present(target[key])) target[key] = value;
}

/** SetDefaults_Rule: a rule's scope is `*` unless set. */
export function defaultRule(rule: Obj): void {
  setIfAbsent(rule, 'scope', '*');
}

/** SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook, with their rules and service reference. */
export function defaultWebhook(hook: Obj, kind: WebhookKind): void {
  setIfAbsent(hook, 'failurePolicy', 'Fail');
  setIfAbsent(hook, 'matchPolicy', 'Equivalent');
  setIfAbsent(hook, 'namespaceSelector', {});
  setIfAbsent(hook, 'objectSelector', {});
  setIfAbsent(hook, 'timeoutSeconds', DEFAULT_TIMEOUT_SECONDS);
  if (kind === 'mutating') setIfAbsent(hook, 'reinvocationPolicy', 'Never');
  for (const rule of arr(hook.rules)) {
    const r = obj(rule);
    if (r) defaultRule(r);
  }
  const service = obj(obj(hook.clientConfig)?.service);
  if (service) setIfAbsent(service, 'port', DEFAULT_SERVICE_PORT);
}

/** Defaults every webhook of a configuration, in place. */
export function defaultWebhookConfiguration(config: KubeObject, kind: WebhookKind): void {
  for (const hook of arr(config.webhooks)) {
    const h = obj(hook);
    if (h) defaultWebhook(h, kind);
  }
}

function webhookConfigurationStrategy(kind: WebhookKind): Strategy {
  return {
    // Match conditions must compile, which needs the CEL interpreter.
    beforeWrite: loadMatchConditionCel,
    defaults: (o) => defaultWebhookConfiguration(o, kind),
    validate: (o) => validateWebhookConfiguration(o, kind),
  };
}

export const validatingWebhookConfigurationStrategy = webhookConfigurationStrategy('validating');
export const mutatingWebhookConfigurationStrategy = webhookConfigurationStrategy('mutating');

export { validateWebhookConfiguration, type WebhookKind } from './admissionregistration-validation.js';
export {
  compileMatchCondition,
  loadMatchConditionCel,
  matchConditionProblem,
  type MatchConditionProgram,
} from './admissionregistration-cel.js';
