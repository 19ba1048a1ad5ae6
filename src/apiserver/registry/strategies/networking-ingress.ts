/** Ingress (networking.k8s.io/v1): hosts, paths and path types, backends. Status via /status. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import {
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isDNS1035Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  maxLenError,
  regexError,
} from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { clone, isValidIP, list, rec, str, validateDNSSubdomain, type Obj } from './core-common.js';
import { validateRefName } from './networking-ingressclass.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];

const WILDCARD_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^(?:${WILDCARD_FMT})$`);

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardRe.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        '*.example.com',
      ),
    );
  }
  return errs;
}

function hostErrors(host: string): string[] {
  return host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
}

export function validateIngressBackend(backend: Obj, path: string): FieldError[] {
  const resource = rec(backend.resource);
  const service = rec(backend.service);
  if (resource && service)
    return [fieldErr.invalid(path, '', 'cannot set both resource and service backends')];
  if (resource) {
    const errs: FieldError[] = [];
    const group = resource.apiGroup;
    if (typeof group === 'string') errs.push(...validateDNSSubdomain(group, `${path}.resource.apiGroup`));
    errs.push(...validateRefName(resource.kind, `${path}.resource.kind`));
    errs.push(...validateRefName(resource.name, `${path}.resource.name`));
    return errs;
  }
  if (!service) return [fieldErr.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = str(service.name);
  if (name === '') errs.push(fieldErr.required(`${path}.service.name`));
  else for (const m of isDNS1035Label(name)) errs.push(fieldErr.invalid(`${path}.service.name`, name, m));
  const port = rec(service.port) ?? {};
  const portName = str(port.name);
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName !== '' && portNumber !== 0) {
    errs.push(fieldErr.invalid(path, '', 'cannot set both port name & port number'));
  } else if (portName !== '') {
    for (const m of isValidPortName(portName))
      errs.push(fieldErr.invalid(`${path}.service.port.name`, portName, m));
  } else if (portNumber !== 0) {
    for (const m of isValidPortNum(portNumber))
      errs.push(fieldErr.invalid(`${path}.service.port.number`, portNumber, m));
  } else {
    errs.push(fieldErr.required(path, 'port name or number is required'));
  }
  return errs;
}

function validatePath(item: unknown, path: string): FieldError[] {
  const p = rec(item) ?? {};
  const pathType = p.pathType;
  if (pathType === undefined || pathType === null || pathType === '') {
    return [fieldErr.required(`${path}.pathType`, 'pathType must be specified')];
  }
  const errs: FieldError[] = [];
  const value = str(p.path);
  switch (pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/'))
        errs.push(fieldErr.invalid(`${path}.path`, value, 'must be an absolute path'));
      for (const seq of INVALID_SEQUENCES) {
        if (value.includes(seq))
          errs.push(fieldErr.invalid(`${path}.path`, value, `must not contain '${seq}'`));
      }
      for (const suffix of INVALID_SUFFIXES) {
        if (value.endsWith(suffix))
          errs.push(fieldErr.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value !== '' && !value.startsWith('/')) {
        errs.push(fieldErr.invalid(`${path}.path`, value, 'must be an absolute path'));
      }
      break;
    default:
      errs.push(fieldErr.notSupported(`${path}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(rec(p.backend) ?? {}, `${path}.backend`));
  return errs;
}

function validateIngress(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs: FieldError[] = [];
  const rules = list(spec.rules);
  const defaultBackend = rec(spec.defaultBackend);
  if (rules.length === 0 && !defaultBackend) {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec',
      message:
        'Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    });
  }
  if (defaultBackend) errs.push(...validateIngressBackend(defaultBackend, 'spec.defaultBackend'));
  rules.forEach((item, i) => {
    const rule = rec(item) ?? {};
    const host = str(rule.host);
    const hostPath = `spec.rules[${i}].host`;
    if (host !== '') {
      if (isValidIP(host))
        errs.push(fieldErr.invalid(hostPath, host, 'must be a DNS name, not an IP address'));
      for (const m of hostErrors(host)) errs.push(fieldErr.invalid(hostPath, host, m));
    }
    const http = rec(rule.http);
    if (!http) return;
    const paths = list(http.paths);
    if (paths.length === 0) errs.push(fieldErr.required(`spec.rules[${i}].http.paths`));
    paths.forEach((p, j) => errs.push(...validatePath(p, `spec.rules[${i}].http.paths[${j}]`)));
  });
  list(spec.tls).forEach((item, i) => {
    list(rec(item)?.hosts).forEach((h, j) => {
      const host = str(h);
      for (const m of hostErrors(host)) errs.push(fieldErr.invalid(`spec.tls[${i}].hosts[${j}]`, host, m));
    });
    const secretName = str(rec(item)?.secretName);
    if (secretName !== '') errs.push(...validateDNSSubdomain(secretName, `spec.tls[${i}].secretName`));
  });
  const className = spec.ingressClassName;
  if (typeof className === 'string') errs.push(...validateDNSSubdomain(className, 'spec.ingressClassName'));
  return errs;
}

export const ingressStrategy: Strategy = {
  prepareForCreate: (obj) => {
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate: (obj, old) => {
    if (old.status === undefined) delete obj.status;
    else obj.status = clone(old.status);
  },
  validate: validateIngress,
};
