/** Small helpers shared by the non-workload strategies: loose field access, IP/CIDR and quantity checks. */
import { isIP } from 'node:net';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isPlainObject, type KubeObject, cloneJson } from '../../../api/meta.js';
import { formatQuantity, tryParseQuantity } from '../../../api/quantity.js';
import {
  NEGATIVE_ERROR,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  maxLenError,
  regexError,
} from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}

/** The object at obj[key], created when missing (for defaulting). */
export function child(obj: Obj, key: string): Obj {
  const cur = obj[key];
  if (isPlainObject(cur)) return cur;
  const made: Obj = {};
  obj[key] = made;
  return made;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function clone<T>(v: T): T {
  return cloneJson(v);
}

/** Go's %#v of a []string, as used in upstream messages: `[]string{"a", "b"}`. */
export function goStrings(values: unknown[]): string {
  return `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

/** An error whose value is rendered verbatim (Go struct/slice syntax) rather than JSON. */
export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` };
}

// ---------- status handling for kinds with a status subresource ----------

export function dropStatus(obj: KubeObject): void {
  delete obj.status;
}

export function keepOldStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = clone(old.status);
}

/** prepareForCreate/prepareForUpdate of a kind whose status is written only through /status. */
export const statusSubresource: Pick<Strategy, 'prepareForCreate' | 'prepareForUpdate'> = {
  prepareForCreate: dropStatus,
  prepareForUpdate: keepOldStatus,
};

// ---------- value checks returning field errors ----------

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_ERROR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function isValidIP(value: string): boolean {
  return isIP(value) !== 0;
}

export function validateIP(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && isValidIP(value) ? [] : [fieldErr.invalid(path, value ?? '', IP_ERROR)];
}

export function isValidCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function validateCIDR(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && isValidCIDR(value)
    ? []
    : [fieldErr.invalid(path, value ?? '', CIDR_ERROR)];
}

function wrap(msgs: string[], path: string, value: unknown): FieldError[] {
  return msgs.map((m) => fieldErr.invalid(path, value, m));
}

export function validateDNSLabel(value: string, path: string): FieldError[] {
  return wrap(isDNS1123Label(value), path, value);
}

export function validateDNSSubdomain(value: string, path: string): FieldError[] {
  return wrap(isDNS1123Subdomain(value), path, value);
}

export function validateQualifiedName(value: string, path: string): FieldError[] {
  return wrap(isQualifiedName(value), path, value);
}

/** A resource quantity: parseable, and (unless allowNegative) not negative. */
export function validateQuantity(value: unknown, path: string, allowNegative = false): FieldError[] {
  const parsed = tryParseQuantity(value);
  if ('error' in parsed) return [fieldErr.invalid(path, value ?? '', parsed.error)];
  if (!allowNegative && parsed.quantity.nanos < 0n) {
    return [fieldErr.invalid(path, formatQuantity(parsed.quantity), NEGATIVE_ERROR)];
  }
  return [];
}

// ---------- config keys (ConfigMap / Secret) ----------

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const configKeyRe = new RegExp(`^(?:${CONFIG_KEY_FMT})$`);
const CONFIG_KEY_MAX = 253;

export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > CONFIG_KEY_MAX) errs.push(maxLenError(CONFIG_KEY_MAX));
  if (!configKeyRe.test(key)) {
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_KEY_FMT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Upstream's MaxSecretSize, shared by ConfigMap and Secret. */
export const MAX_CONFIG_SIZE = 1024 * 1024;

export const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** Old object had immutable: true → immutable may not be unset and the listed fields may not change. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldErr.forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const f of fields) {
    if (!sameJSON(emptyToNull(obj[f]), emptyToNull(old[f])))
      errs.push(fieldErr.forbidden(f, IMMUTABLE_WHEN_SET));
  }
  return errs;
}

function emptyToNull(v: unknown): unknown {
  return isPlainObject(v) && Object.keys(v).length === 0 ? null : v;
}

/** An IP address as a bigint (32 bits for IPv4, 128 for IPv6); undefined when not an IP. */
export function ipToBigInt(ip: string): { value: bigint; family: 4 | 6 } | undefined {
  const family = isIP(ip);
  if (family === 4) {
    return { value: ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n), family };
  }
  if (family !== 6) return undefined;
  let text = ip;
  // An embedded dotted IPv4 tail becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = ipToBigInt(dotted[1])?.value ?? 0n;
    text = `${text.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), family };
}

/** Whether `inner` is a strict subset of `outer` (both valid CIDRs). */
export function isStrictSubnet(inner: string, outer: string): boolean {
  const [ip1 = '', bits1 = ''] = inner.split('/');
  const [ip2 = '', bits2 = ''] = outer.split('/');
  const a = ipToBigInt(ip1);
  const b = ipToBigInt(ip2);
  if (!a || !b || a.family !== b.family) return false;
  const width = a.family === 4 ? 32n : 128n;
  const outerBits = BigInt(Number(bits2));
  if (Number(bits2) >= Number(bits1)) return false;
  const mask = ((1n << outerBits) - 1n) << (width - outerBits);
  return (a.value & mask) === (b.value & mask);
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
}
