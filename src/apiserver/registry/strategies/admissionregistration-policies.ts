/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1,
 * cluster-scoped): upstream's v1 defaults (pkg/apis/admissionregistration/v1/defaults.go) and validation. Both
 * count generations (the catalog marks them generation-tracked); a policy's status is written only through its
 * `status` subresource (the handler keeps the stored one on other writes and drops it on create) and is
 * validated there.
 *
 * The defaulting helpers are pure (they touch only the object given) and exported for callers that read
 * policies and bindings (the admission plugin that evaluates them).
 */
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { loadPolicyCel } from './admissionregistration-policy-cel.js';
import {
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
} from './admissionregistration-policy-validation.js';
import { defaultRule } from './admissionregistration-webhooks.js';
import { arr, obj, present, type Obj } from './util.js';

function setIfAbsent(target: Obj, key: string, value: unknown): void {
  if (!present(target[key])) target[key] = value;
}

/** SetDefaults_MatchResources, with SetDefaults_Rule on every include and exclude rule. */
export function defaultMatchResources(match: Obj): void {
  setIfAbsent(match, 'matchPolicy', 'Equivalent');
  setIfAbsent(match, 'namespaceSelector', {});
  setIfAbsent(match, 'objectSelector', {});
  for (const list of ['resourceRules', 'excludeResourceRules']) {
    for (const rule of arr(match[list])) {
      const r = obj(rule);
      if (r) defaultRule(r);
    }
  }
}

/**
 * SetObjectDefaults_ValidatingAdmissionPolicy, in place: `spec.failurePolicy: Fail` (spec is a struct, so a
 * policy without one gets it) and the match constraints' defaults.
 */
export function defaultValidatingAdmissionPolicy(policy: KubeObject): void {
  if (!obj(policy.spec)) policy.spec = {};
  const spec = policy.spec as Obj;
  setIfAbsent(spec, 'failurePolicy', 'Fail');
  const constraints = obj(spec.matchConstraints);
  if (constraints) defaultMatchResources(constraints);
}

/** SetObjectDefaults_ValidatingAdmissionPolicyBinding, in place: the match resources' defaults only (v1 leaves paramRef.parameterNotFoundAction unset). */
export function defaultValidatingAdmissionPolicyBinding(binding: KubeObject): void {
  const match = obj(obj(binding.spec)?.matchResources);
  if (match) defaultMatchResources(match);
}

export const validatingAdmissionPolicyStrategy: Strategy = {
  // Expressions must compile, which needs the CEL interpreter.
  beforeWrite: loadPolicyCel,
  defaults: defaultValidatingAdmissionPolicy,
  validate: (o) => validateValidatingAdmissionPolicy(o),
  // Status writes are validated (typeChecking, conditions); the spec they keep passes unchanged.
  validatesStatus: true,
};

export const validatingAdmissionPolicyBindingStrategy: Strategy = {
  defaults: defaultValidatingAdmissionPolicyBinding,
  validate: (o) => validateValidatingAdmissionPolicyBinding(o),
};

export {
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
} from './admissionregistration-policy-validation.js';
export {
  compilePolicyExpression,
  loadPolicyCel,
  policyExpressionProblem,
  type PolicyCelDeclarations,
  type PolicyProgram,
} from './admissionregistration-policy-cel.js';
