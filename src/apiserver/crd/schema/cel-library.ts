/**
 * Part of Kubernetes' CEL extension libraries (k8s.io/apiserver/pkg/cel/library) that CRD rules use most,
 * on top of standard CEL: list helpers, regex find/findAll with RE2 patterns, string replace/charAt, and
 * the IP, CIDR and URL checks. Others (quantities, ip()/cidr() values, url() accessors, authz, sets…) are
 * not provided; rules calling them are skipped.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { isIP } from 'node:net';
import { compileGoPattern } from './regex.js';

type Ordered = bigint | number | string;

function regex(pattern: string): RegExp {
  const compiled = compileGoPattern(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.re;
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

export function withKubernetesLibraries(env: Environment): Environment {
  return env
    .registerFunction('list.isSorted(): bool', (l: Ordered[]) => l.every((v, i) => i === 0 || l[i - 1]! <= v))
    .registerFunction('list.sum(): dyn', (l: (bigint | number)[]) =>
      l.length === 0 ? 0n : l.reduce((a, b) => (a as number) + (b as number)),
    )
    .registerFunction('list.min(): dyn', (l: Ordered[]) => extreme(l, (a, b) => a < b))
    .registerFunction('list.max(): dyn', (l: Ordered[]) => extreme(l, (a, b) => a > b))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) => BigInt(l.indexOf(x)))
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) => BigInt(l.lastIndexOf(x)))
    .registerFunction('string.find(string): string', (s: string, re: string) => regex(re).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, re: string) =>
      [...s.matchAll(new RegExp(regex(re).source, 'gu'))].map((m) => m[0]),
    )
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
      s.split(a).join(b),
    )
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '')
    .registerFunction('isIP(string): bool', (s: string) => isIP(s) !== 0)
    .registerFunction('isCIDR(string): bool', (s: string) => isCidr(s))
    .registerFunction('isURL(string): bool', (s: string) => isUrl(s));
}
