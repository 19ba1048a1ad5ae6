/** Resource requirements (requests/limits) validation as upstream ValidateResourceRequirements. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { compareQuantities, formatQuantity, tryParseQuantity, type Quantity } from '../../../api/quantity.js';
import { isQualifiedName, NEGATIVE_ERROR } from '../../../api/validation/names.js';
import { obj } from './util.js';

const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([...CONTAINER_RESOURCES, 'storage']);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
/** Native resources (no domain, or a kubernetes.io one) may be overcommitted; extended ones may not. */
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

function validateResourceName(name: string, path: string, forContainers: boolean): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    const known = forContainers
      ? CONTAINER_RESOURCES.has(name) || isHugePages(name)
      : STANDARD_RESOURCES.has(name);
    if (!known) {
      const what = forContainers
        ? 'must be a standard resource for containers'
        : 'must be a standard resource type or fully qualified';
      return [fieldErr.invalid(path, name, what)];
    }
  }
  return [];
}

function validateResourceList(
  list: unknown,
  path: string,
  forContainers: boolean,
): { errs: FieldError[]; parsed: Map<string, Quantity> } {
  const errs: FieldError[] = [];
  const parsed = new Map<string, Quantity>();
  const l = obj(list);
  if (!l) return { errs, parsed };
  for (const [k, v] of Object.entries(l)) {
    const p = `${path}[${k}]`;
    errs.push(...validateResourceName(k, p, forContainers));
    const r = tryParseQuantity(v);
    if ('error' in r) {
      errs.push(fieldErr.invalid(p, v, r.error));
      continue;
    }
    parsed.set(k, r.quantity);
    if (r.quantity.nanos < 0n) errs.push(fieldErr.invalid(p, formatQuantity(r.quantity), NEGATIVE_ERROR));
    else if (!isNative(k) && r.quantity.nanos % 1_000_000_000n !== 0n) {
      errs.push(fieldErr.invalid(p, formatQuantity(r.quantity), 'must be an integer'));
    }
  }
  return { errs, parsed };
}

/** ValidateResourceRequirements: names, quantities, and requests <= limits (== for extended resources). */
export function validateResourceRequirements(res: unknown, path: string, forContainers = true): FieldError[] {
  const r = obj(res);
  if (!r) return [];
  const limits = validateResourceList(r.limits, `${path}.limits`, forContainers);
  const requests = validateResourceList(r.requests, `${path}.requests`, forContainers);
  const errs = [...limits.errs, ...requests.errs];
  for (const [name, req] of requests.parsed) {
    const limit = limits.parsed.get(name);
    if (!limit) continue;
    const cmp = compareQuantities(req, limit);
    const overcommit = isNative(name) && !isHugePages(name);
    if (cmp !== 0 && !overcommit) {
      errs.push(
        fieldErr.invalid(
          `${path}.requests`,
          formatQuantity(req),
          `must be equal to ${name} limit of ${formatQuantity(limit)}`,
        ),
      );
    } else if (cmp > 0) {
      errs.push(
        fieldErr.invalid(
          `${path}.requests`,
          formatQuantity(req),
          `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`,
        ),
      );
    }
  }
  return errs;
}
