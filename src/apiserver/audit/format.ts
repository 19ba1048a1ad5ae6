import type { AuditEvent } from './event.js';

/**
 * The one-line text of --audit-log-format=legacy, field for field as kube-apiserver writes it.
 * Like upstream, the line is stamped with the time the request was received (not the stage's time).
 */
export function legacyEventLine(ev: AuditEvent): string {
  let user = '<none>';
  let groups = '<none>';
  if (ev.user.username) {
    user = ev.user.username;
    if (ev.user.groups?.length) groups = quotedList(ev.user.groups);
  }
  let as = '<self>';
  let asGroups = '<lookup>';
  if (ev.impersonatedUser) {
    as = ev.impersonatedUser.username ?? '';
    // Upstream tests the slice for nil, not for emptiness: an empty list prints as "".
    if (ev.impersonatedUser.groups) asGroups = quotedList(ev.impersonatedUser.groups);
  }
  const namespace = ev.objectRef?.namespace || '<none>';
  const response = ev.responseStatus ? String(ev.responseStatus.code ?? 0) : '<deferred>';
  const ip = ev.sourceIPs?.[0] ?? '<unknown>';
  const fields: [string, string][] = [
    ['id', ev.auditID],
    ['stage', ev.stage],
    ['ip', ip],
    ['method', ev.verb],
    ['user', user],
    ['groups', groups],
    ['as', as],
    ['asgroups', asGroups],
    ['user-agent', ev.userAgent ?? ''],
    ['namespace', namespace],
    ['uri', ev.requestURI],
  ];
  const quoted = fields.map(([name, value]) => `${name}=${goQuote(value)}`).join(' ');
  // The response code is the one field upstream prints between quotes without escaping.
  return `${rfc3339Nano(ev.requestReceivedTimestamp)} AUDIT: ${quoted} response="${response}"`;
}

function quotedList(values: string[]): string {
  return values.map(goQuote).join(',');
}

const zeroTime = '0001-01-01T00:00:00Z';
const timestampPattern = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/**
 * Go's time.RFC3339Nano layout of a serialized MicroTime: trailing zeros of the fraction dropped, and
 * the dot with them when nothing is left. An empty timestamp is Go's zero time, as an unset field is.
 */
export function rfc3339Nano(microTime: string): string {
  if (microTime === '') return zeroTime;
  const match = timestampPattern.exec(microTime);
  if (!match) return microTime;
  const [, seconds, fraction = '', zone] = match;
  const trimmed = fraction.replace(/0+$/, '');
  return `${seconds}${trimmed ? '.' + trimmed : ''}${zone}`;
}

const shortEscapes: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's %q of a string (strconv.Quote): printable runes as they are, the others escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const char of s) {
    let code = char.codePointAt(0) ?? 0;
    // A lone surrogate is no rune: Go would have decoded it as U+FFFD.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    const rune = String.fromCodePoint(code);
    if (rune === '"' || rune === '\\') out += '\\' + rune;
    else if (printable.test(rune)) out += rune;
    else if (shortEscapes[code] !== undefined) out += shortEscapes[code];
    else if (code < 0x20 || code === 0x7f) out += '\\x' + hex(code, 2);
    else if (code < 0x10000) out += '\\u' + hex(code, 4);
    else out += '\\U' + hex(code, 8);
  }
  return out + '"';
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}
