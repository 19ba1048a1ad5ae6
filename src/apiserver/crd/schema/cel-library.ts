/**
 * Part of Kubernetes' CEL extension libraries (k8s.io/apiserver/pkg/cel/library) that CRD rules use most,
 * on top of standard CEL: list helpers, regex find/findAll (and standard `matches`) on the RE2 engine,
 * string replace/charAt, and the IP, CIDR and URL checks. Others (quantities, ip()/cidr() values, url() accessors, authz, sets…) are
 * not provided; rules calling them are skipped.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { isIP } from 'node:net';
import { isPlainObject } from '../../../api/meta.js';
import { compileGoPattern, type GoPattern } from './regex.js';

type Ordered = bigint | number | string;

function regex(pattern: string): GoPattern {
  const compiled = compileGoPattern(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled;
}

/** CEL equality of values: structural for lists and maps, ints equal to the same doubles. */
function celEqual(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => celEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && celEqual(a[k], b[k]))
    );
  }
  return a === b;
}

function extreme(list: Ordered[], pick: (a: Ordered, b: Ordered) => boolean): Ordered {
  if (list.length === 0) throw new Error('min/max of an empty list');
  return list.reduce((best, v) => (pick(v, best) ? v : best));
}

function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash === -1) return false;
  const family = isIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Go's url.ParseRequestURI: an absolute URL, or an absolute path. */
function isUrl(s: string): boolean {
  if (s.startsWith('/')) return true;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** The interpreter's own `matches` backtracks; rules call this one instead (see withRe2Matches). */
const RE2_MATCHES = 'matchesRe2';

/**
 * A rule with its `x.matches(re)` calls routed to the RE2 engine (the interpreter does not let its own
 * overload be replaced). String literals are left alone.
 */
export function withRe2Matches(rule: string): string {
  let out = '';
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i]!;
    if (c === '"' || c === "'") {
      const end = literalEnd(rule, i);
      out += rule.slice(i, end);
      i = end - 1;
    } else if (rule.startsWith('.matches(', i)) {
      out += `.${RE2_MATCHES}(`;
      i += '.matches('.length - 1;
    } else out += c;
  }
  return out;
}

/** Index just past the string literal opening at i (triple-quoted or not; backslash escapes). */
export function literalEnd(text: string, i: number): number {
  const quote = text[i]!;
  const delimiter = text.startsWith(quote.repeat(3), i) ? quote.repeat(3) : quote;
  for (let j = i + delimiter.length; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text.startsWith(delimiter, j)) return j + delimiter.length;
  }
  return text.length;
}

export function withKubernetesLibraries(env: Environment): Environment {
  return env
    .registerFunction('list.isSorted(): bool', (l: Ordered[]) => l.every((v, i) => i === 0 || l[i - 1]! <= v))
    .registerFunction('list.sum(): dyn', (l: (bigint | number)[]) =>
      l.length === 0 ? 0n : l.reduce((a, b) => (a as number) + (b as number)),
    )
    .registerFunction('list.min(): dyn', (l: Ordered[]) => extreme(l, (a, b) => a < b))
    .registerFunction('list.max(): dyn', (l: Ordered[]) => extreme(l, (a, b) => a > b))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) =>
      BigInt(l.findIndex((v) => celEqual(v, x))),
    )
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) =>
      BigInt(l.findLastIndex((v) => celEqual(v, x))),
    )
    .registerFunction(`string.${RE2_MATCHES}(string): bool`, (s: string, re: string) => regex(re).test(s))
    .registerFunction('matches(string, string): bool', (s: string, re: string) => regex(re).test(s))
    .registerFunction('string.find(string): string', (s: string, re: string) => regex(re).find(s) ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, re: string) => regex(re).findAll(s))
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
      s.split(a).join(b),
    )
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '')
    .registerFunction('isIP(string): bool', (s: string) => isIP(s) !== 0)
    .registerFunction('isCIDR(string): bool', (s: string) => isCidr(s))
    .registerFunction('isURL(string): bool', (s: string) => isUrl(s));
}
