/** PriorityClass (scheduling.k8s.io/v1): value bounds, reserved `system-` names, immutable value/policy. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';

export const HIGHEST_USER_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASSES: { name: string; value: number; globalDefault: boolean }[] = [
  { name: 'system-node-critical', value: 2_000_001_000, globalDefault: false },
  { name: 'system-cluster-critical', value: 2_000_000_000, globalDefault: false },
];
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

function systemClassError(name: string, value: unknown, globalDefault: boolean): string {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== globalDefault)
    return `globalDefault of ${name} PriorityClass must be ${known.globalDefault}`;
  return '';
}

function validatePriorityClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  const value = obj.value;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errs.push(fieldErr.required('value'));
  }
  if (name.startsWith('system-')) {
    const problem = systemClassError(name, value, obj.globalDefault === true);
    if (problem) {
      errs.push(
        fieldErr.forbidden(
          'metadata.name',
          `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`,
        ),
      );
    }
  } else if (typeof value === 'number' && value > HIGHEST_USER_PRIORITY) {
    errs.push(
      fieldErr.forbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`,
      ),
    );
  }
  const policy = obj.preemptionPolicy;
  if (
    policy !== undefined &&
    policy !== null &&
    (typeof policy !== 'string' || !PREEMPTION_POLICIES.includes(policy))
  ) {
    errs.push(fieldErr.notSupported('preemptionPolicy', policy, PREEMPTION_POLICIES));
  }
  return errs;
}

function validatePriorityClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.value !== old.value) errs.push(fieldErr.forbidden('value', 'may not be changed in an update.'));
  errs.push(...validateImmutableField(obj.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

export const priorityClassStrategy: Strategy = {
  defaults: (obj) => {
    if (obj.preemptionPolicy === undefined || obj.preemptionPolicy === null)
      obj.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
};
