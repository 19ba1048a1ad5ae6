/**
 * Validation of ValidatingWebhookConfiguration and MutatingWebhookConfiguration (admissionregistration.k8s.io/v1),
 * as upstream's pkg/apis/admissionregistration/validation: field paths and messages are upstream's. ObjectMeta
 * is checked by the REST handler.
 *
 * On update upstream relaxes some checks when the stored object already broke them (side effects, review
 * versions, duplicate names, selector values, unchanged match conditions); here the handler's ratcheting does
 * that job: an update is refused only for errors the stored object did not already have.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../api/validation/names.js';
import { validateWebhookService, validateWebhookURL } from '../../../api/validation/webhook.js';
import { matchConditionProblem } from './admissionregistration-cel.js';
import { validateQualifiedName } from './core-common.js';
import { arr, invalidRendered, obj, present, type Obj } from './util.js';

export type WebhookKind = 'validating' | 'mutating';

// Supported values, sorted as upstream's sets.String.List() prints them.
export const FAILURE_POLICIES = ['Fail', 'Ignore'];
export const MATCH_POLICIES = ['Equivalent', 'Exact'];
export const SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun'];
export const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
export const SCOPES = ['*', 'Cluster', 'Namespaced'];
export const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
/** AdmissionReview versions this server understands (upstream's AcceptedAdmissionReviewVersions). */
export const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];
export const MAX_MATCH_CONDITIONS = 64;
export const TIMEOUT_RANGE_ERROR = 'the timeout value must be between 1 and 30 seconds';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => arr(v).map(str);

/** Go's %#v of a slice of a string type: `[]string{"a", "b"}`. */
export function goSlice(type: string, values: string[]): string {
  return `${type}{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** utilvalidation.IsFullyQualifiedName. */
export function validateFullyQualifiedName(name: string, path: string): FieldError[] {
  if (name === '') return [fieldErr.required(path)];
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [fieldErr.invalid(path, name, errs.join(','))];
  if (name.split('.').length < 3)
    return [
      fieldErr.invalid(path, name, 'should be a domain with at least three segments separated by dots'),
    ];
  return [];
}

/** validateResources: resources of a rule, where `x/y` names a subresource and `*` a wildcard. */
function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(fieldErr.required(path));
  const withWildcardSubresource = new Set<string>(); // x/*
  const subresourcesOfWildcard = new Set<string>(); // */x
  let hasDoubleWildcard = false;
  let hasSingleWildcard = false;
  let hasResourceWithoutSubresource = false;
  resources.forEach((resSub, i) => {
    if (resSub === '') {
      errs.push(fieldErr.required(`${path}[${i}]`));
      return;
    }
    if (resSub === '*/*') hasDoubleWildcard = true;
    if (resSub === '*') hasSingleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) {
      // As upstream: the last resource without a subresource decides.
      hasResourceWithoutSubresource = resSub !== '*';
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (withWildcardSubresource.has(res)) {
      errs.push(
        fieldErr.invalid(`${path}[${i}]`, resSub, `if '${res}/*' is present, must not specify ${resSub}`),
      );
    }
    if (subresourcesOfWildcard.has(sub)) {
      errs.push(
        fieldErr.invalid(`${path}[${i}]`, resSub, `if '*/${sub}' is present, must not specify ${resSub}`),
      );
    }
    if (sub === '*') withWildcardSubresource.add(res);
    if (res === '*') subresourcesOfWildcard.add(sub);
  });
  if (resources.length > 1 && hasDoubleWildcard) {
    errs.push(
      invalidRendered(
        path,
        goSlice('[]string', resources),
        "if '*/*' is present, must not specify other resources",
      ),
    );
  }
  if (hasSingleWildcard && hasResourceWithoutSubresource) {
    errs.push(
      invalidRendered(
        path,
        goSlice('[]string', resources),
        "if '*' is present, must not specify other resources without subresources",
      ),
    );
  }
  return errs;
}

/** validateRuleWithOperations (with validateRule, subresources allowed). */
export function validateRuleWithOperations(rule: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const operations = strings(rule.operations);
  if (operations.length === 0) errs.push(fieldErr.required(`${path}.operations`));
  if (operations.length > 1 && operations.includes('*')) {
    errs.push(
      invalidRendered(
        `${path}.operations`,
        goSlice('[]admissionregistration.OperationType', operations),
        "if '*' is present, must not specify other operations",
      ),
    );
  }
  operations.forEach((op, i) => {
    if (!OPERATIONS.includes(op))
      errs.push(fieldErr.notSupported(`${path}.operations[${i}]`, op, OPERATIONS));
  });
  const groups = strings(rule.apiGroups);
  if (groups.length === 0) errs.push(fieldErr.required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes('*')) {
    errs.push(
      invalidRendered(
        `${path}.apiGroups`,
        goSlice('[]string', groups),
        "if '*' is present, must not specify other API groups",
      ),
    );
  }
  const versions = strings(rule.apiVersions);
  if (versions.length === 0) errs.push(fieldErr.required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes('*')) {
    errs.push(
      invalidRendered(
        `${path}.apiVersions`,
        goSlice('[]string', versions),
        "if '*' is present, must not specify other API versions",
      ),
    );
  }
  versions.forEach((v, i) => {
    if (v === '') errs.push(fieldErr.required(`${path}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(strings(rule.resources), `${path}.resources`));
  if (present(rule.scope) && !SCOPES.includes(str(rule.scope))) {
    errs.push(fieldErr.notSupported(`${path}.scope`, rule.scope, SCOPES));
  }
  return errs;
}

/** validateAdmissionReviewVersions, with a recognized version required (as on create). */
function validateAdmissionReviewVersions(value: unknown, path: string): FieldError[] {
  const versions = strings(value);
  const accepted = ADMISSION_REVIEW_VERSIONS.join(', ');
  if (versions.length === 0) return [fieldErr.required(path, `must specify one of ${accepted}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let hasAccepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(fieldErr.invalid(`${path}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(fieldErr.invalid(`${path}[${i}]`, v, msg));
    if (ADMISSION_REVIEW_VERSIONS.includes(v)) hasAccepted = true;
  });
  if (!hasAccepted) {
    errs.push(
      invalidRendered(path, goSlice('[]string', versions), `must include at least one of ${accepted}`),
    );
  }
  return errs;
}

/** The webhook's `clientConfig`: exactly one of url and service. */
function validateClientConfig(clientConfig: Obj | undefined, path: string): FieldError[] {
  const cc = clientConfig ?? {};
  if (present(cc.url) === present(cc.service))
    return [fieldErr.required(path, 'exactly one of url or service is required')];
  if (present(cc.url)) return validateWebhookURL(str(cc.url), `${path}.url`);
  return validateWebhookService(obj(cc.service) ?? {}, `${path}.service`);
}

/**
 * validateMatchConditions: at most 64, names qualified and unique, expressions that compile to a bool.
 * `problem` checks an expression in the environment of the enclosing kind (webhooks': no `params`).
 */
export function validateMatchConditions(
  value: unknown,
  path: string,
  problem: (expression: string) => string | undefined = matchConditionProblem,
): FieldError[] {
  const conditions = arr(value);
  const errs: FieldError[] = [];
  if (conditions.length > MAX_MATCH_CONDITIONS)
    errs.push(fieldErr.tooMany(path, conditions.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  conditions.forEach((raw, i) => {
    const mc = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const expression = str(mc.expression).trim();
    if (expression === '') errs.push(fieldErr.required(`${at}.expression`));
    else {
      const detail = problem(expression);
      if (detail) errs.push(fieldErr.invalid(`${at}.expression`, expression, detail));
    }
    const name = str(mc.name);
    if (name === '') errs.push(fieldErr.required(`${at}.name`));
    else errs.push(...validateQualifiedName(name, `${at}.name`));
    if (name !== '') {
      if (names.has(name)) errs.push(fieldErr.duplicate(`${at}.name`, name));
      else names.add(name);
    }
  });
  return errs;
}

/** validateValidatingWebhook / validateMutatingWebhook: one entry of `webhooks`. */
export function validateWebhook(hook: Obj, kind: WebhookKind, path: string): FieldError[] {
  const errs = validateFullyQualifiedName(str(hook.name), `${path}.name`);
  arr(hook.rules).forEach((rule, i) => {
    errs.push(...validateRuleWithOperations(obj(rule) ?? {}, `${path}.rules[${i}]`));
  });
  if (present(hook.failurePolicy) && !FAILURE_POLICIES.includes(str(hook.failurePolicy)))
    errs.push(fieldErr.notSupported(`${path}.failurePolicy`, hook.failurePolicy, FAILURE_POLICIES));
  if (present(hook.matchPolicy) && !MATCH_POLICIES.includes(str(hook.matchPolicy)))
    errs.push(fieldErr.notSupported(`${path}.matchPolicy`, hook.matchPolicy, MATCH_POLICIES));
  if (!present(hook.sideEffects)) {
    errs.push(
      fieldErr.required(`${path}.sideEffects`, `must specify one of ${SIDE_EFFECT_CLASSES.join(', ')}`),
    );
  } else if (!SIDE_EFFECT_CLASSES.includes(str(hook.sideEffects))) {
    errs.push(fieldErr.notSupported(`${path}.sideEffects`, hook.sideEffects, SIDE_EFFECT_CLASSES));
  }
  const timeout = hook.timeoutSeconds;
  if (typeof timeout === 'number' && (timeout > 30 || timeout < 1))
    errs.push(fieldErr.invalid(`${path}.timeoutSeconds`, timeout, TIMEOUT_RANGE_ERROR));
  errs.push(...validateLabelSelector(hook.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateLabelSelector(hook.objectSelector, `${path}.objectSelector`));
  if (
    kind === 'mutating' &&
    present(hook.reinvocationPolicy) &&
    !REINVOCATION_POLICIES.includes(str(hook.reinvocationPolicy))
  ) {
    errs.push(
      fieldErr.notSupported(`${path}.reinvocationPolicy`, hook.reinvocationPolicy, REINVOCATION_POLICIES),
    );
  }
  errs.push(...validateClientConfig(obj(hook.clientConfig), `${path}.clientConfig`));
  errs.push(...validateMatchConditions(hook.matchConditions, `${path}.matchConditions`));
  return errs;
}

/** ValidateValidatingWebhookConfiguration / ValidateMutatingWebhookConfiguration, without ObjectMeta. */
export function validateWebhookConfiguration(config: Obj, kind: WebhookKind): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(config.webhooks).forEach((raw, i) => {
    const hook = obj(raw) ?? {};
    const path = `webhooks[${i}]`;
    errs.push(...validateWebhook(hook, kind, path));
    errs.push(
      ...validateAdmissionReviewVersions(hook.admissionReviewVersions, `${path}.admissionReviewVersions`),
    );
    const name = str(hook.name);
    if (name !== '') {
      if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
      else names.add(name);
    }
  });
  return errs;
}
