/** Standard resource names (upstream pkg/apis/core/helper) for quota, limit range and container checks. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isQualifiedName } from '../../../api/validation/names.js';

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const REQUESTS_LIMITS = [
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
];
const OBJECT_COUNTS = [
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
];

const STANDARD = new Set([...COMPUTE, ...REQUESTS_LIMITS, ...OBJECT_COUNTS, 'storage', 'requests.storage']);
const STANDARD_QUOTA = new Set([...COMPUTE, ...REQUESTS_LIMITS, ...OBJECT_COUNTS, 'requests.storage']);

const isQuotaHugePages = (name: string): boolean =>
  name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');

export const isStandardResourceName = (name: string): boolean => STANDARD.has(name) || isQuotaHugePages(name);
export const isStandardQuotaResourceName = (name: string): boolean =>
  STANDARD_QUOTA.has(name) || isQuotaHugePages(name);
const isStandardContainerResourceName = (name: string): boolean =>
  COMPUTE.includes(name) || name.startsWith('hugepages-');

/** validateResourceName: a qualified name; unprefixed names must be standard. */
export function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) {
    errs.push(fieldErr.invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) {
    errs.push(fieldErr.invalid(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

export function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !isStandardContainerResourceName(name)) {
    errs.push(fieldErr.invalid(path, name, 'must be a standard resource for containers'));
  }
  return errs;
}

const POD_COMPUTE = new Set([
  'cpu',
  'limits.cpu',
  'limits.memory',
  'memory',
  'requests.cpu',
  'requests.memory',
]);

/** IsResourceQuotaScopeValidForResource. */
export function isScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return resource === 'pods' || POD_COMPUTE.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}
