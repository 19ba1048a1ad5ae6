/** Endpoints (core/v1): subsets need addresses; IPs valid and not special; ports as service ports. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isValidPortNum } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import {
  isValidIP,
  list,
  rec,
  str,
  validateDNSLabel,
  validateDNSSubdomain,
  validateIP,
} from './core-common.js';

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** IPs that may not be endpoints (ValidateNonSpecialIP). */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  if (!isValidIP(ip)) return [fieldErr.invalid(path, ip, 'must be a valid IP address')];
  const lower = ip.toLowerCase();
  const v4 = lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
  let detail = '';
  if (v4 === '0.0.0.0' || lower === '::') detail = `may not be unspecified (${ip})`;
  else if (v4.startsWith('127.') || lower === '::1')
    detail = 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  else if (v4.startsWith('169.254.') || /^fe[89ab]/.test(lower)) {
    detail = 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  } else if (v4.startsWith('224.0.0.') || lower.startsWith('ff02:')) {
    detail = 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  }
  return detail ? [fieldErr.invalid(path, ip, detail)] : [];
}

function validateAddress(addr: unknown, path: string): FieldError[] {
  const a = rec(addr) ?? {};
  const ip = str(a.ip);
  // Upstream runs both checks, so an unparseable IP is reported twice.
  const errs = [...validateIP(ip, `${path}.ip`), ...validateNonSpecialIP(ip, `${path}.ip`)];
  if (str(a.hostname)) errs.push(...validateDNSLabel(str(a.hostname), `${path}.hostname`));
  if (typeof a.nodeName === 'string') errs.push(...validateDNSSubdomain(a.nodeName, `${path}.nodeName`));
  return errs;
}

/** Name (required when several), number and protocol of an endpoint port. */
export function validateEndpointPort(port: unknown, requireName: boolean, path: string): FieldError[] {
  const p = rec(port) ?? {};
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && name === '') errs.push(fieldErr.required(`${path}.name`));
  else if (name !== '') errs.push(...validateDNSLabel(name, `${path}.name`));
  for (const msg of isValidPortNum(Number(p.port ?? 0)))
    errs.push(fieldErr.invalid(`${path}.port`, p.port ?? 0, msg));
  const protocol = str(p.protocol);
  if (protocol === '') errs.push(fieldErr.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(protocol))
    errs.push(fieldErr.notSupported(`${path}.protocol`, protocol, PORT_PROTOCOLS));
  return errs;
}

function defaultEndpoints(obj: KubeObject): void {
  for (const subset of list(obj.subsets)) {
    for (const port of list(rec(subset)?.ports)) {
      const p = rec(port);
      if (p && !p.protocol) p.protocol = 'TCP';
    }
  }
}

function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(obj.subsets).forEach((subset, i) => {
    const path = `subsets[${i}]`;
    const s = rec(subset) ?? {};
    const ready = list(s.addresses);
    const notReady = list(s.notReadyAddresses);
    if (ready.length === 0 && notReady.length === 0) {
      errs.push(fieldErr.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    ready.forEach((a, j) => errs.push(...validateAddress(a, `${path}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, `${path}.notReadyAddresses[${j}]`)));
    const ports = list(s.ports);
    ports.forEach((p, j) => errs.push(...validateEndpointPort(p, ports.length > 1, `${path}.ports[${j}]`)));
  });
  return errs;
}

export const endpointsStrategy: Strategy = {
  defaults: defaultEndpoints,
  validate: validateEndpoints,
};
