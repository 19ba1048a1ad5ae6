/** IngressClass (networking.k8s.io/v1): controller is a domain-prefixed path and immutable; parameters scope. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  regexError,
  validatePathSegmentName,
} from '../../../api/validation/names.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { rec, str, validateDNSSubdomain } from './core-common.js';

const MAX_CONTROLLER_LENGTH = 250;
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${HTTP_PATH_FMT}$`);
const SCOPES = ['Cluster', 'Namespace'];

/** IsDomainPrefixedPath, e.g. `example.com/ingress-controller`. */
export function validateDomainPrefixedPath(value: string, path: string): FieldError[] {
  if (value === '') return [fieldErr.required(path)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host === '' || rest === '') {
    return [fieldErr.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs = isDNS1123Subdomain(host).map((m) => fieldErr.invalid(path, host, m));
  if (!httpPathRe.test(rest))
    errs.push(fieldErr.invalid(path, rest, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

/** kind / name of a typed reference: required, and usable as a URL path segment. */
export function validateRefName(value: unknown, path: string): FieldError[] {
  const v = str(value);
  if (v === '') return [fieldErr.required(path)];
  return validatePathSegmentName(v, false).map((m) => fieldErr.invalid(path, v, m));
}

function validateParameters(params: unknown, path: string): FieldError[] {
  const p = rec(params);
  if (!p) return [];
  const errs: FieldError[] = [];
  const group = p.apiGroup;
  if (typeof group === 'string' && group !== '')
    errs.push(...validateDNSSubdomain(group, `${path}.apiGroup`));
  errs.push(...validateRefName(p.kind, `${path}.kind`));
  errs.push(...validateRefName(p.name, `${path}.name`));
  const scope = p.scope;
  if (scope === undefined || scope === null) {
    errs.push(fieldErr.required(`${path}.scope`));
    return errs;
  }
  if (!SCOPES.includes(str(scope))) {
    errs.push(fieldErr.notSupported(`${path}.scope`, scope, SCOPES));
  } else if (scope === 'Namespace') {
    if (typeof p.namespace !== 'string') {
      errs.push(fieldErr.required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    } else {
      for (const m of isDNS1123Label(p.namespace))
        errs.push(fieldErr.invalid(`${path}.namespace`, p.namespace, m));
    }
  } else if (p.namespace !== undefined && p.namespace !== null) {
    errs.push(fieldErr.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

function validateIngressClass(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const controller = str(spec.controller);
  const errs: FieldError[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH)
    errs.push(fieldErr.tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  errs.push(...validateParameters(spec.parameters, 'spec.parameters'));
  return errs;
}

export const ingressClassStrategy: Strategy = {
  defaults: (obj) => {
    const params = rec(rec(obj.spec)?.parameters);
    if (params && (params.scope === undefined || params.scope === null)) params.scope = 'Cluster';
  },
  validate: validateIngressClass,
  validateUpdate: (obj, old) =>
    validateImmutableField(rec(obj.spec)?.controller, rec(old.spec)?.controller, 'spec.controller'),
};
