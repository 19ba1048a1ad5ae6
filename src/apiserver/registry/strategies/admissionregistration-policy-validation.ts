/**
 * Validation of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1),
 * as upstream's pkg/apis/admissionregistration/validation (Kubernetes 1.32): field paths and messages are
 * upstream's. ObjectMeta is checked by the REST handler.
 *
 * On update upstream compiles unchanged expressions in a more permissive environment and skips unchanged
 * match conditions; here the handler's ratcheting does that job: an update is refused only for errors the
 * stored object did not already have. Upstream's authorization check of paramKind/paramRef (the writer may
 * read the param kind) is not done.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { validateConditions } from '../../../api/validation/conditions.js';
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  validatePathSegmentName,
} from '../../../api/validation/names.js';
import { parseTemplate } from '../../crd/jsonpath-parse.js';
import {
  policyExpressionProblem,
  RETURNS_ANY,
  RETURNS_BOOL,
  RETURNS_STRING,
  RETURNS_STRING_OR_NULL,
  type PolicyCelDeclarations,
  type PolicyReturnTypes,
} from './admissionregistration-policy-cel.js';
import {
  FAILURE_POLICIES,
  MATCH_POLICIES,
  goSlice,
  validateMatchConditions,
  validateRuleWithOperations,
} from './admissionregistration-validation.js';
import { validateQualifiedName } from './core-common.js';
import { arr, invalidRendered, obj, present, type Obj } from './util.js';

/** Upstream's supportedValidationPolicyReason (the API docs also name Unauthorized, which validation refuses). */
export const VALIDATION_REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
/** Sorted as upstream's sets.String.List() prints them. */
export const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];
/** In upstream's own order (not a sorted set). */
export const PARAMETER_NOT_FOUND_ACTIONS = ['Deny', 'Allow'];
export const MAX_AUDIT_ANNOTATIONS = 20;
export const MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH = 5 * 1024;
export const DENY_AND_WARN_ERROR =
  'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => arr(v).map(str);
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** isCELIdentifier: `[_a-zA-Z][_a-zA-Z0-9]*` and not a reserved word. */
export function isCELIdentifier(name: string): boolean {
  return CEL_IDENTIFIER.test(name) && !CEL_RESERVED.has(name);
}

/** Go's strings.TrimSpace (ASCII and Unicode white space). */
const trimSpace = (s: string): string => s.trim();

/** The newline characters of the CEL grammar, which upstream refuses in a validation's message. */
const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

/** Go's %#v of a struct slice of string fields, e.g. `[]admissionregistration.AuditAnnotation{…}`. */
function goStructSlice(type: string, fields: readonly string[], items: unknown[]): string {
  const one = (item: unknown): string => {
    const o = obj(item) ?? {};
    const parts = fields.map((f) => `${f[0]!.toUpperCase()}${f.slice(1)}:${JSON.stringify(str(o[f]))}`);
    return `${type}{${parts.join(', ')}}`;
  };
  return `[]${type}{${items.map(one).join(', ')}}`;
}

/** parseGroupVersion: `group/version`, a bare version, or an error for more than one slash. */
function parseGroupVersion(gv: string): { group: string; version: string } | string {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const slashes = gv.split('/').length - 1;
  if (slashes === 0) return { group: '', version: gv };
  if (slashes === 1) {
    const i = gv.indexOf('/');
    return { group: gv.slice(0, i), version: gv.slice(i + 1) };
  }
  return `unexpected GroupVersion string: ${gv}`;
}

/** validateParamKind: apiVersion a group/version whose parts are a DNS subdomain and a DNS-1035 label, kind. */
export function validateParamKind(paramKind: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = str(paramKind.apiVersion);
  if (apiVersion === '') errs.push(fieldErr.required(`${path}.apiVersion`));
  else {
    const gv = parseGroupVersion(apiVersion);
    if (typeof gv === 'string') errs.push(fieldErr.invalid(`${path}.apiVersion`, apiVersion, gv));
    else {
      if (gv.group !== '') {
        const problems = isDNS1123Subdomain(gv.group);
        if (problems.length > 0)
          errs.push(fieldErr.invalid(`${path}.apiVersion`, gv.group, problems.join(',')));
      }
      if (gv.version === '') {
        errs.push(fieldErr.invalid(`${path}.apiVersion`, apiVersion, 'version must be specified'));
      } else {
        const problems = isDNS1035Label(gv.version);
        if (problems.length > 0)
          errs.push(fieldErr.invalid(`${path}.apiVersion`, gv.version, problems.join(',')));
      }
    }
  }
  const kind = str(paramKind.kind);
  if (kind === '') errs.push(fieldErr.required(`${path}.kind`));
  else {
    const problems = isDNS1035Label(kind.toLowerCase());
    if (problems.length > 0) {
      errs.push(
        fieldErr.invalid(
          `${path}.kind`,
          kind,
          `may have mixed case, but should otherwise match: ${problems.join(',')}`,
        ),
      );
    }
  }
  return errs;
}

/** validateNamedRuleWithOperations: resource names are path segments and unique, then the rule itself. */
export function validateNamedRuleWithOperations(rule: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  strings(rule.resourceNames).forEach((name, i) => {
    const at = `${path}.resourceNames[${i}]`;
    for (const msg of validatePathSegmentName(name, false)) errs.push(fieldErr.invalid(at, name, msg));
    if (seen.has(name)) errs.push(fieldErr.duplicate(at, name));
    else seen.add(name);
  });
  errs.push(...validateRuleWithOperations(rule, path));
  return errs;
}

/**
 * validateMatchResources: matchPolicy and both selectors are required (they are defaulted), selectors are
 * checked strictly, then the include and exclude rules.
 */
export function validateMatchResources(match: Obj | undefined, path: string): FieldError[] {
  if (!match) return [];
  const errs: FieldError[] = [];
  if (!present(match.matchPolicy)) errs.push(fieldErr.required(`${path}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(str(match.matchPolicy)))
    errs.push(fieldErr.notSupported(`${path}.matchPolicy`, match.matchPolicy, MATCH_POLICIES));
  for (const selector of ['namespaceSelector', 'objectSelector']) {
    if (!present(match[selector])) errs.push(fieldErr.required(`${path}.${selector}`));
    else errs.push(...validateLabelSelector(match[selector], `${path}.${selector}`));
  }
  for (const list of ['resourceRules', 'excludeResourceRules']) {
    arr(match[list]).forEach((rule, i) => {
      errs.push(...validateNamedRuleWithOperations(obj(rule) ?? {}, `${path}.${list}[${i}]`));
    });
  }
  return errs;
}

/** One CEL expression of a policy: Invalid with upstream's detail when it does not compile. */
function expressionErrors(
  expression: string,
  path: string,
  decls: PolicyCelDeclarations,
  returns: PolicyReturnTypes,
  variableNames: ReadonlySet<string>,
  reported: string = expression,
): FieldError[] {
  const problem = policyExpressionProblem(expression, decls, returns, variableNames);
  return problem ? [fieldErr.invalid(path, reported, problem)] : [];
}

/** validateVariable: a CEL identifier and an expression that compiles (seeing the variables before it). */
function validateVariable(
  variable: Obj,
  path: string,
  hasParams: boolean,
  before: ReadonlySet<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(variable.name);
  if (trimSpace(name) === '') errs.push(fieldErr.required(`${path}.name`, 'name is not specified'));
  else if (!isCELIdentifier(name))
    errs.push(fieldErr.invalid(`${path}.name`, name, 'name is not a valid CEL identifier'));
  const expression = str(variable.expression);
  if (trimSpace(expression) === '')
    errs.push(fieldErr.required(`${path}.expression`, 'expression is not specified'));
  else {
    const decls = { params: hasParams, authorizer: true, variables: true };
    errs.push(...expressionErrors(expression, `${path}.expression`, decls, RETURNS_ANY, before));
  }
  return errs;
}

/** validateValidation: expression, messageExpression, message and reason of one entry of `validations`. */
function validateValidation(
  validation: Obj,
  path: string,
  hasParams: boolean,
  variableNames: ReadonlySet<string> | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  const composition = variableNames !== undefined;
  const names = variableNames ?? new Set<string>();
  const expression = str(validation.expression);
  if (trimSpace(expression) === '')
    errs.push(fieldErr.required(`${path}.expression`, 'expression is not specified'));
  else {
    const decls = { params: hasParams, authorizer: true, variables: composition };
    errs.push(...expressionErrors(expression, `${path}.expression`, decls, RETURNS_BOOL, names));
  }
  const messageExpression = str(validation.messageExpression);
  if (messageExpression !== '' && trimSpace(messageExpression) === '') {
    errs.push(
      fieldErr.invalid(`${path}.messageExpression`, messageExpression, 'must be non-empty if specified'),
    );
  } else if (messageExpression !== '') {
    const decls = { params: hasParams, authorizer: false, variables: composition };
    errs.push(
      ...expressionErrors(messageExpression, `${path}.messageExpression`, decls, RETURNS_STRING, names),
    );
  }
  const message = str(validation.message);
  if (message !== '' && trimSpace(message) === '') {
    errs.push(fieldErr.invalid(`${path}.message`, message, 'message must be non-empty if specified'));
  } else if (hasNewlines(trimSpace(message))) {
    errs.push(fieldErr.invalid(`${path}.message`, message, 'message must not contain line breaks'));
  }
  if (present(validation.reason) && !VALIDATION_REASONS.includes(str(validation.reason)))
    errs.push(fieldErr.notSupported(`${path}.reason`, validation.reason, VALIDATION_REASONS));
  return errs;
}

/** validateAuditAnnotation: `<policy name>/<key>` a qualified name, a value expression to a string or null. */
function validateAuditAnnotation(
  annotation: Obj,
  policyName: string,
  path: string,
  hasParams: boolean,
  variableNames: ReadonlySet<string> | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  const key = str(annotation.key);
  if (policyName !== '') errs.push(...validateQualifiedName(`${policyName}/${key}`, `${path}.key`));
  else errs.push(fieldErr.invalid(`${path}.key`, key, 'requires metadata.name be non-empty'));
  const valueExpression = str(annotation.valueExpression);
  const trimmed = trimSpace(valueExpression);
  const at = `${path}.valueExpression`;
  if (trimmed === '') errs.push(fieldErr.required(at, 'valueExpression is not specified'));
  else if (byteLength(trimmed) > MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH) {
    errs.push(
      fieldErr.required(
        at,
        `must not exceed ${MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH} bytes in length`,
      ),
    );
  } else {
    const decls = { params: hasParams, authorizer: true, variables: variableNames !== undefined };
    const names = variableNames ?? new Set<string>();
    errs.push(...expressionErrors(trimmed, at, decls, RETURNS_STRING_OR_NULL, names, valueExpression));
  }
  return errs;
}

/** validateValidatingAdmissionPolicySpec, for the policy named `policyName`. */
export function validateValidatingAdmissionPolicySpec(
  spec: Obj,
  policyName: string,
  path = 'spec',
): FieldError[] {
  const errs: FieldError[] = [];
  if (!present(spec.failurePolicy)) errs.push(fieldErr.required(`${path}.failurePolicy`));
  else if (!FAILURE_POLICIES.includes(str(spec.failurePolicy)))
    errs.push(fieldErr.notSupported(`${path}.failurePolicy`, spec.failurePolicy, FAILURE_POLICIES));
  const paramKind = obj(spec.paramKind);
  const hasParams = present(spec.paramKind);
  if (hasParams) errs.push(...validateParamKind(paramKind ?? {}, `${path}.paramKind`));
  const constraints = present(spec.matchConstraints) ? (obj(spec.matchConstraints) ?? {}) : undefined;
  if (!constraints) errs.push(fieldErr.required(`${path}.matchConstraints`));
  else {
    errs.push(...validateMatchResources(constraints, `${path}.matchConstraints`));
    // At least one resource rule, which gives the expressions their types upstream.
    if (arr(constraints.resourceRules).length === 0)
      errs.push(fieldErr.required(`${path}.matchConstraints.resourceRules`));
  }
  const matchConditionDecls = { params: hasParams, authorizer: true, variables: false };
  errs.push(
    ...validateMatchConditions(spec.matchConditions, `${path}.matchConditions`, (expression) =>
      policyExpressionProblem(expression, matchConditionDecls, RETURNS_BOOL),
    ),
  );
  const variables = arr(spec.variables);
  // Upstream's composited compiler declares `variables` only for a policy that has some; each variable sees
  // the ones before it, the other expressions see them all.
  const names = new Set<string>();
  variables.forEach((raw, i) => {
    const variable = obj(raw) ?? {};
    errs.push(...validateVariable(variable, `${path}.variables[${i}]`, hasParams, new Set(names)));
    names.add(str(variable.name));
  });
  const declared = variables.length > 0 ? names : undefined;
  const validations = arr(spec.validations);
  const auditAnnotations = arr(spec.auditAnnotations);
  if (validations.length === 0 && auditAnnotations.length === 0) {
    const detail = 'validations or auditAnnotations must contain at least one item';
    errs.push(fieldErr.required(`${path}.validations`, detail));
    errs.push(fieldErr.required(`${path}.auditAnnotations`, detail));
    return errs;
  }
  validations.forEach((v, i) => {
    errs.push(...validateValidation(obj(v) ?? {}, `${path}.validations[${i}]`, hasParams, declared));
  });
  if (auditAnnotations.length > MAX_AUDIT_ANNOTATIONS) {
    errs.push(
      invalidRendered(
        `${path}.auditAnnotations`,
        goStructSlice('admissionregistration.AuditAnnotation', ['key', 'valueExpression'], auditAnnotations),
        `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`,
      ),
    );
  }
  const keys = new Set<string>();
  auditAnnotations.forEach((raw, i) => {
    const annotation = obj(raw) ?? {};
    const at = `${path}.auditAnnotations[${i}]`;
    errs.push(...validateAuditAnnotation(annotation, policyName, at, hasParams, declared));
    const key = str(annotation.key);
    if (keys.has(key)) errs.push(fieldErr.duplicate(`${at}.key`, key));
    keys.add(key);
  });
  return errs;
}

/** validateFieldRef: a non-empty JSONPath (parsed as `{fieldRef}`). */
function validateFieldRef(fieldRef: string, path: string): FieldError[] {
  const trimmed = trimSpace(fieldRef);
  if (trimmed === '') return [fieldErr.required(path)];
  try {
    parseTemplate(`{${trimmed}}`);
  } catch (err) {
    return [fieldErr.invalid(path, trimmed, `invalid JSONPath: ${(err as Error).message}`)];
  }
  return [];
}

/** validateValidatingAdmissionPolicyStatus: type checking warnings and conditions. */
export function validateValidatingAdmissionPolicyStatus(status: Obj, path = 'status'): FieldError[] {
  const errs: FieldError[] = [];
  const typeChecking = obj(status.typeChecking);
  arr(typeChecking?.expressionWarnings).forEach((raw, i) => {
    const warning = obj(raw) ?? {};
    const at = `${path}.typeChecking.expressionWarnings[${i}]`;
    if (str(warning.warning) === '') errs.push(fieldErr.required(`${at}.warning`));
    errs.push(...validateFieldRef(str(warning.fieldRef), `${at}.fieldRef`));
  });
  errs.push(...validateConditions(status.conditions, `${path}.conditions`));
  return errs;
}

/** validateParamRef: a name (a path segment) or a selector, not both, and a parameterNotFoundAction. */
export function validateParamRef(paramRef: Obj | undefined, path: string): FieldError[] {
  if (!paramRef) return [];
  const errs: FieldError[] = [];
  const name = str(paramRef.name);
  const hasSelector = present(paramRef.selector);
  const exclusive = 'name and selector are mutually exclusive';
  if (name !== '') {
    for (const msg of validatePathSegmentName(name, false))
      errs.push(fieldErr.invalid(`${path}.name`, name, msg));
    if (hasSelector) errs.push(fieldErr.forbidden(`${path}.name`, exclusive));
  }
  if (hasSelector) {
    errs.push(...validateLabelSelector(paramRef.selector, `${path}.selector`));
    if (name !== '') errs.push(fieldErr.forbidden(`${path}.selector`, exclusive));
  }
  if (name === '' && !hasSelector)
    errs.push(fieldErr.required(path, 'one of name or selector must be specified'));
  const action = str(paramRef.parameterNotFoundAction);
  if (action === '') errs.push(fieldErr.required(`${path}.parameterNotFoundAction`));
  else if (!PARAMETER_NOT_FOUND_ACTIONS.includes(action)) {
    errs.push(fieldErr.notSupported(`${path}.parameterNotFoundAction`, action, PARAMETER_NOT_FOUND_ACTIONS));
  }
  return errs;
}

/** validateValidationActions: known, unique, not Deny with Warn, at least one. */
export function validateValidationActions(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const actions = strings(value);
  const seen = new Set<string>();
  actions.forEach((action, i) => {
    if (!VALIDATION_ACTIONS.includes(action))
      errs.push(fieldErr.notSupported(`${path}[${i}]`, action, VALIDATION_ACTIONS));
    if (seen.has(action)) errs.push(fieldErr.duplicate(`${path}[${i}]`, action));
    seen.add(action);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(
      invalidRendered(
        path,
        goSlice('[]admissionregistration.ValidationAction', actions),
        DENY_AND_WARN_ERROR,
      ),
    );
  }
  if (seen.size === 0) errs.push(fieldErr.required(path, 'at least one validation action is required'));
  return errs;
}

/** validateValidatingAdmissionPolicyBindingSpec. */
export function validateValidatingAdmissionPolicyBindingSpec(spec: Obj, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const policyName = str(spec.policyName);
  if (policyName === '') errs.push(fieldErr.required(`${path}.policyName`));
  else {
    for (const msg of isDNS1123Subdomain(policyName))
      errs.push(fieldErr.invalid(`${path}.policyName`, policyName, msg));
  }
  const paramRef = present(spec.paramRef) ? (obj(spec.paramRef) ?? {}) : undefined;
  errs.push(...validateParamRef(paramRef, `${path}.paramRef`));
  const match = present(spec.matchResources) ? (obj(spec.matchResources) ?? {}) : undefined;
  errs.push(...validateMatchResources(match, `${path}.matchResources`));
  errs.push(...validateValidationActions(spec.validationActions, `${path}.validationActions`));
  return errs;
}

/** ValidateValidatingAdmissionPolicy without ObjectMeta, and the status (written through `status`). */
export function validateValidatingAdmissionPolicy(policy: Obj): FieldError[] {
  const name = str(obj(policy.metadata)?.name);
  return [
    ...validateValidatingAdmissionPolicySpec(obj(policy.spec) ?? {}, name),
    ...validateValidatingAdmissionPolicyStatus(obj(policy.status) ?? {}),
  ];
}

/** ValidateValidatingAdmissionPolicyBinding without ObjectMeta. */
export function validateValidatingAdmissionPolicyBinding(binding: Obj): FieldError[] {
  return validateValidatingAdmissionPolicyBindingSpec(obj(binding.spec) ?? {});
}
