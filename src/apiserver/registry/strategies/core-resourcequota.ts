/** ResourceQuota (core/v1): hard quantities, scopes and scope selector. Status via /status. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { tryParseQuantity } from '../../../api/quantity.js';
import type { Strategy } from '../types.js';
import { list, rec, statusSubresource, str, validateQuantity, validateResourceName } from './core-common.js';

const SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
const CONFLICTING: [string, string][] = [
  ['Terminating', 'NotTerminating'],
  ['BestEffort', 'NotBestEffort'],
];
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

const INTEGER_RESOURCES = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export function isIntegerResource(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || name.startsWith('count/');
}

/** A map of resource name → quantity, e.g. spec.hard (`spec.hard[cpu]`). */
export function validateResourceList(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(rec(value) ?? {})) {
    const p = `${path}[${k}]`;
    errs.push(...validateResourceName(k, p));
    const qErrs = validateQuantity(v, p);
    errs.push(...qErrs);
    if (qErrs.length === 0 && isIntegerResource(k)) {
      const parsed = tryParseQuantity(v);
      if ('quantity' in parsed && parsed.quantity.nanos % 1_000_000_000n !== 0n) {
        errs.push(fieldErr.invalid(p, v, 'must be an integer'));
      }
    }
  }
  return errs;
}

function validateQuota(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs = validateResourceList(spec.hard, 'spec.hard');
  const scopes = list(spec.scopes).map(str);
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) errs.push(fieldErr.invalid('spec.scopes', scopes, 'unsupported scope'));
  }
  for (const [a, b] of CONFLICTING) {
    if (scopes.includes(a) && scopes.includes(b))
      errs.push(fieldErr.invalid('spec.scopes', scopes, 'conflicting scopes'));
  }
  list(rec(spec.scopeSelector)?.matchExpressions).forEach((expr, i) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`;
    const e = rec(expr) ?? {};
    const scopeName = str(e.scopeName);
    if (!SCOPES.includes(scopeName))
      errs.push(fieldErr.invalid(`${p}.scopeName`, scopeName, 'unsupported scope'));
    const operator = str(e.operator);
    const values = list(e.values);
    if (!SELECTOR_OPERATORS.includes(operator)) {
      errs.push(fieldErr.notSupported(`${p}.operator`, operator, SELECTOR_OPERATORS));
    } else if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      errs.push(
        fieldErr.required(
          `${p}.values`,
          "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
        ),
      );
    } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      errs.push(
        fieldErr.invalid(
          `${p}.values`,
          values,
          "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
        ),
      );
    }
  });
  return errs;
}

export const resourceQuotaStrategy: Strategy = {
  ...statusSubresource,
  validate: validateQuota,
};
