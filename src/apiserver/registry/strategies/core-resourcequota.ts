/** ResourceQuota (core/v1): hard quantities, scopes and scope selector. Status via /status. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { formatQuantity, tryParseQuantity } from '../../../api/quantity.js';
import type { Strategy } from '../types.js';
import { invalidRaw, list, rec, statusSubresource, str, validateQuantity } from './core-common.js';
import {
  isScopeValidForResource,
  isStandardQuotaResourceName,
  validateQuotaResourceName,
} from './core-resourcenames.js';

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

/** ValidateResourceQuantityValue: a valid, non-negative quantity, whole for countable resources. */
export function validateQuantityValue(resource: string, value: unknown, path: string): FieldError[] {
  const errs = validateQuantity(value, path);
  if (errs.length === 0 && isIntegerResource(resource)) {
    const parsed = tryParseQuantity(value);
    if ('quantity' in parsed && parsed.quantity.nanos % 1_000_000_000n !== 0n) {
      errs.push(fieldErr.invalid(path, formatQuantity(parsed.quantity), 'must be an integer'));
    }
  }
  return errs;
}

/** Go's %#v of the scopes list used in scope messages. */
function scopesText(scopes: string[]): string {
  return `[]core.ResourceQuotaScope{${scopes.map((x) => JSON.stringify(x)).join(', ')}}`;
}

const EXISTS_ONLY_SCOPES = [
  'BestEffort',
  'NotBestEffort',
  'Terminating',
  'NotTerminating',
  'CrossNamespacePodAffinity',
];
const EXISTS_ONLY_MESSAGE =
  "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity";

function hasConflict(scopes: Set<string>): boolean[] {
  return CONFLICTING.map(([a, b]) => scopes.has(a) && scopes.has(b));
}

function validateScopes(spec: Record<string, unknown>, hardKeys: string[]): FieldError[] {
  const scopes = list(spec.scopes).map(str);
  const errs: FieldError[] = [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope))
      errs.push(invalidRaw('spec.scopes', scopesText(scopes), 'unsupported scope'));
    for (const k of hardKeys) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(scope, k)) {
        errs.push(invalidRaw('spec.scopes', scopesText(scopes), 'unsupported scope applied to resource'));
      }
    }
  }
  for (const conflict of hasConflict(new Set(scopes))) {
    if (conflict) errs.push(invalidRaw('spec.scopes', scopesText(scopes), 'conflicting scopes'));
  }
  return errs;
}

function validateScopeSelector(spec: Record<string, unknown>, hardKeys: string[]): FieldError[] {
  const selector = rec(spec.scopeSelector);
  if (!selector) return [];
  // Upstream reports these without the list index.
  const path = 'spec.scopeSelector.matchExpressions';
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const item of list(selector.matchExpressions)) {
    const expr = rec(item) ?? {};
    const scopeName = str(expr.scopeName);
    const operator = str(expr.operator);
    const values = list(expr.values);
    if (!SCOPES.includes(scopeName))
      errs.push(fieldErr.invalid(`${path}.scopeName`, scopeName, 'unsupported scope'));
    for (const k of hardKeys) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(scopeName, k)) {
        errs.push(fieldErr.invalid(path, selector, 'unsupported scope applied to resource'));
      }
    }
    if (EXISTS_ONLY_SCOPES.includes(scopeName) && operator !== 'Exists') {
      errs.push(fieldErr.invalid(`${path}.operator`, operator, EXISTS_ONLY_MESSAGE));
    }
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) {
        errs.push(
          fieldErr.required(
            `${path}.values`,
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
          ),
        );
      }
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length !== 0) {
        errs.push(
          fieldErr.invalid(
            `${path}.values`,
            values,
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
          ),
        );
      }
    } else {
      errs.push(fieldErr.invalid(`${path}.operator`, operator, 'not a valid selector operator'));
    }
    seen.add(scopeName);
  }
  for (const conflict of hasConflict(seen)) {
    if (conflict) errs.push(invalidRaw(path, scopesText(list(spec.scopes).map(str)), 'conflicting scopes'));
  }
  return errs;
}

function validateQuota(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const hard = rec(spec.hard) ?? {};
  const hardKeys = Object.keys(hard).sort();
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(hard)) {
    const path = `spec.hard[${k}]`;
    errs.push(...validateQuotaResourceName(k, path));
    errs.push(...validateQuantityValue(k, v, path));
  }
  errs.push(...validateScopes(spec, hardKeys));
  errs.push(...validateScopeSelector(spec, hardKeys));
  return errs;
}

function validateQuotaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const scopes = list(rec(obj.spec)?.scopes).map(str);
  const oldScopes = list(rec(old.spec)?.scopes).map(str);
  const same = new Set(scopes).size === new Set(oldScopes).size && scopes.every((x) => oldScopes.includes(x));
  return same ? [] : [invalidRaw('spec.scopes', scopesText(scopes), 'field is immutable')];
}

export const resourceQuotaStrategy: Strategy = {
  ...statusSubresource,
  validate: validateQuota,
  validateUpdate: validateQuotaUpdate,
};
