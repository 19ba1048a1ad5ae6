/**
 * String formats custom resources are checked against: upstream keeps only these (its
 * StripUnsupportedFormatsPostProcess, the Kubernetes 1.0 set) and drops every other format
 * before validating, so an unknown format is never an error.
 */
import { isIP, isIPv6 } from 'node:net';
import { tryParseQuantity } from '../../../api/quantity.js';
import type { JSONSchemaProps } from './types.js';

/** go-openapi's name normalization: `date-time` and `datetime` are one format. */
export function normalizeFormat(format: string): string {
  return format.replaceAll('-', '');
}

const HEX_UUID = '[0-9a-f]{8}-?[0-9a-f]{4}-?';
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const CREDIT_CARD =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const OCTET = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const RGB = new RegExp(`^rgb\\(\\s*${OCTET}\\s*,\\s*${OCTET}\\s*,\\s*${OCTET}\\s*\\)$`);
const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const SCALA_DURATION = /^\s*(?:\d+\s*[A-Za-z\u00b5]+\s*)+$/;
const SCALA_UNITS = [
  ['ns', 'nano'],
  ['us', 'µs', 'micro'],
  ['ms', 'milli'],
  ['s', 'sec'],
  ['m', 'min'],
  ['h', 'hr', 'hour'],
  ['d', 'day'],
  ['w', 'wk', 'week'],
];

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0] ?? '')) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1] ?? '');
  return !!m && (m[1] ?? '') <= '23' && (m[2] ?? '') <= '59' && (m[3] ?? '') <= '59';
}

function isDuration(s: string): boolean {
  if (s === '0' || s === '+0' || s === '-0' || GO_DURATION.test(s)) return true;
  if (!SCALA_DURATION.test(s)) return false;
  return [...s.matchAll(/(\d+)\s*([A-Za-z\u00b5]+)/g)].some(([, , unit = '']) => {
    const u = unit.toLowerCase();
    return SCALA_UNITS.some((variants) =>
      variants.some((v, i) => v === u || (i === variants.length - 1 && u.startsWith(v))),
    );
  });
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isCIDR(s: string): boolean {
  const [ip = '', bits, ...rest] = s.split('/');
  if (bits === undefined || rest.length > 0 || !/^\d{1,3}$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && !ip.includes('%') && Number(bits) <= 128;
}

function isMAC(s: string): boolean {
  const octets = (n: number, sep: string): RegExp =>
    new RegExp(`^[0-9a-fA-F]{2}(?:${sep}[0-9a-fA-F]{2}){${n - 1}}$`);
  const dotted = (n: number): RegExp => new RegExp(`^[0-9a-fA-F]{4}(?:\\.[0-9a-fA-F]{4}){${n - 1}}$`);
  return [6, 8, 20].some((n) => octets(n, ':').test(s) || octets(n, '-').test(s) || dotted(n / 2).test(s));
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function isISBN(s: string, version: 10 | 13): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (version === 10) {
    if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(v)) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (i + 1) * Number(v[i]);
    sum += v[9] === 'X' ? 100 : 10 * Number(v[9]);
    return sum % 11 === 0;
  }
  if (!/^[0-9]{13}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(v[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(v[12]);
}

const CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  // Go's url.ParseRequestURI: an absolute URI or an absolute path.
  uri: (s) => /^([a-zA-Z][a-zA-Z0-9+.-]*:|\/)/.test(s) && ![...s].some((c) => c <= ' ' || c === '\x7f'),
  // Go's net/mail.ParseAddress, approximated: `local@domain` or `Name <local@domain>`.
  email: (s) => /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(s.trim()),
  hostname: (s) => HOSTNAME.test(s) && s.length <= 255 && s.split('.').every((p) => p.length <= 63),
  ipv4: isIPv4,
  ipv6: (s) => isIP(s) === 6 && !s.includes('%'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => new RegExp(`^${HEX_UUID}[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i').test(s),
  uuid3: (s) => new RegExp(`^${HEX_UUID}3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i').test(s),
  uuid4: (s) => new RegExp(`^${HEX_UUID}4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, 'i').test(s),
  uuid5: (s) => new RegExp(`^${HEX_UUID}5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, 'i').test(s),
  isbn: (s) => isISBN(s, 10) || isISBN(s, 13),
  isbn10: (s) => isISBN(s, 10),
  isbn13: (s) => isISBN(s, 13),
  creditcard: (s) => {
    const digits = s.replace(/[^0-9]/g, '');
    return CREDIT_CARD.test(digits) && luhn(digits);
  },
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => RGB.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
  quantity: (s) => s !== '' && s.trim() === s && 'quantity' in tryParseQuantity(s),
};

/** The format upstream checks for this node: unsupported formats, and formats on other types, are dropped. */
export function effectiveFormat(s: JSONSchemaProps): string {
  const format = s.format ?? '';
  if (!format) return '';
  const type = s['x-kubernetes-int-or-string'] ? '' : (s.type ?? '');
  switch (type) {
    case '':
    case 'string':
      return normalizeFormat(format) in CHECKS ? format : '';
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : '';
    case 'number':
      return format === 'float' || format === 'double' ? format : '';
    default:
      return '';
  }
}

/** Whether a string format is one the registry can check (integer and number formats are not). */
export function isStringFormat(format: string): boolean {
  return normalizeFormat(format) in CHECKS;
}

export function matchesFormat(format: string, value: string): boolean {
  const check = CHECKS[normalizeFormat(format)];
  return !check || check(value);
}
