/**
 * The PodSpec fields that end up in a container's /etc/resolv.conf and /etc/hosts (validatePodDNSConfig,
 * ValidateHostAliases), plus readinessGates, as pkg/apis/core/validation (Kubernetes 1.32).
 */
import { isIP } from 'node:net';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import {
  goStrings,
  invalidRaw,
  IP_ERROR,
  str,
  validateDNSSubdomain,
  validateQualifiedName,
} from './core-common.js';
import { arr, obj } from './util.js';

const MAX_NAMESERVERS = 3;
const MAX_SEARCH_PATHS = 32;
const MAX_SEARCH_LIST_CHARS = 2048;

const dottedQuadTail = /^(.*?)(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/**
 * IsValidIP: what Go's sloppy parser (k8s.io/utils/net ParseIPSloppy) takes. Unlike node:net it accepts
 * IPv4 fields with leading zeros (`010.0.0.1`, also as an IPv6 tail) and rejects IPv6 zones (`fe80::1%eth0`).
 */
export function isValidIPSloppy(value: string): boolean {
  if (value.includes('%')) return false;
  if (isIP(value) !== 0) return true;
  const m = dottedQuadTail.exec(value);
  if (!m) return false;
  const prefix = m[1] ?? '';
  if (prefix !== '' && !prefix.endsWith(':')) return false;
  const fields = m.slice(2).map(Number);
  if (fields.some((f) => f > 255)) return false;
  return isIP(prefix + fields.join('.')) !== 0;
}

function validateIPSloppy(value: unknown, path: string): FieldError[] {
  const text = typeof value === 'string' ? value : '';
  return isValidIPSloppy(text) ? [] : [fieldErr.invalid(path, text, IP_ERROR)];
}

const strings = (v: unknown): string[] => arr(v).map(str);

/** validatePodDNSConfig: `dnsPolicy: None` needs nameservers; resolv.conf limits of libc. */
export function validatePodDNSConfig(dnsConfig: unknown, dnsPolicy: unknown, path: string): FieldError[] {
  const config = obj(dnsConfig);
  if (dnsPolicy === 'None') {
    if (!config) return [fieldErr.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(config.nameservers).length === 0) {
      return [
        fieldErr.required(
          `${path}.nameservers`,
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
    }
  }
  if (!config) return [];
  const errs: FieldError[] = [];
  const nameservers = strings(config.nameservers);
  if (nameservers.length > MAX_NAMESERVERS) {
    errs.push(
      invalidRaw(
        `${path}.nameservers`,
        goStrings(nameservers),
        `must not have more than ${MAX_NAMESERVERS} nameservers`,
      ),
    );
  }
  nameservers.forEach((ns, i) => errs.push(...validateIPSloppy(ns, `${path}.nameservers[${i}]`)));
  const searches = strings(config.searches);
  if (searches.length > MAX_SEARCH_PATHS) {
    errs.push(
      invalidRaw(
        `${path}.searches`,
        goStrings(searches),
        `must not have more than ${MAX_SEARCH_PATHS} search paths`,
      ),
    );
  }
  if (Buffer.byteLength(searches.join(' ')) > MAX_SEARCH_LIST_CHARS) {
    errs.push(
      invalidRaw(
        `${path}.searches`,
        goStrings(searches),
        `must not have more than ${MAX_SEARCH_LIST_CHARS} characters (including spaces) in the search list`,
      ),
    );
  }
  searches.forEach((search, i) => {
    // A trailing dot (fully qualified) is fine.
    const name = search.endsWith('.') ? search.slice(0, -1) : search;
    errs.push(...validateDNSSubdomain(name, `${path}.searches[${i}]`));
  });
  arr(config.options).forEach((o, i) => {
    const name = obj(o)?.name;
    if (typeof name !== 'string' || name === '') {
      errs.push(fieldErr.required(`${path}.options[${i}]`, 'must not be empty'));
    }
  });
  return errs;
}

/** ValidateHostAliases: each entry an IP and DNS-1123 subdomain hostnames. */
export function validateHostAliases(hostAliases: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(hostAliases).forEach((a, i) => {
    const alias = obj(a) ?? {};
    errs.push(...validateIPSloppy(alias.ip, `${path}[${i}].ip`));
    strings(alias.hostnames).forEach((h, j) =>
      errs.push(...validateDNSSubdomain(h, `${path}[${i}].hostnames[${j}]`)),
    );
  });
  return errs;
}

/** validateReadinessGates: condition types are qualified names. */
export function validateReadinessGates(gates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(gates).forEach((g, i) => {
    errs.push(...validateQualifiedName(str(obj(g)?.conditionType), `${path}[${i}].conditionType`));
  });
  return errs;
}
