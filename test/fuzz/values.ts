import type { Prng } from './prng.js';

/** Hostile building blocks for mutations: odd strings, numbers, names, quantities and selectors. */

const UNICODE_SAMPLES = [
  'héllo',
  'ünïcödé',
  '日本語',
  '🚢⚓️',
  '\u202eevil',
  'zero\u200bwidth',
  'nul\u0000byte',
  'line\nbreak',
  'tab\there',
  '\ud800',
  '\udfff',
  '\ufeffbom',
  'Ω≈ç√∫',
  '"quoted"',
  "it's",
  '\\backslash',
  '<script>',
  '../../etc/passwd',
  '%2e%2e%2f',
  '${HOME}',
  '{{template}}',
  '*',
  '',
  ' ',
];

export function unicodeString(rng: Prng): string {
  let s = '';
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) s += rng.pick(UNICODE_SAMPLES);
  return s;
}

export function hugeString(rng: Prng): string {
  const size = rng.pick([300, 4096, 65_537, 262_145, 1_048_577]);
  return rng
    .pick(['a', 'é', '🚢', 'x-', '\\"'])
    .repeat(Math.ceil(size / 2))
    .slice(0, size);
}

export function asciiString(rng: Prng, max = 20): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-._/ ABC!@#=,:;()[]{}';
  let s = '';
  const n = rng.int(0, max);
  for (let i = 0; i < n; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

export function randomString(rng: Prng): string {
  return rng.weighted<() => string>([
    [5, () => asciiString(rng)],
    [3, () => unicodeString(rng)],
    [1, () => hugeString(rng)],
  ])();
}

export const WEIRD_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  -1.5,
  2147483647,
  2147483648,
  -2147483649,
  4294967296,
  9007199254740991,
  2 ** 53 + 2,
  -(2 ** 53 + 2),
  1e21,
  1e308,
  -1e308,
  5e-324,
  0.1,
];

export function weirdNumber(rng: Prng): number {
  return rng.chance(0.8) ? rng.pick(WEIRD_NUMBERS) : rng.int(-1000, 100000);
}

export type ValueType = 'string' | 'number' | 'bool' | 'null' | 'array' | 'object';
export const VALUE_TYPES: ValueType[] = ['string', 'number', 'bool', 'null', 'array', 'object'];

export function typeOf(v: unknown): ValueType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'object';
}

export function valueOfType(rng: Prng, type: ValueType, depth = 2): unknown {
  switch (type) {
    case 'string':
      return randomString(rng);
    case 'number':
      return weirdNumber(rng);
    case 'bool':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const n = depth > 0 ? rng.int(0, 3) : 0;
      return Array.from({ length: n }, () => randomValue(rng, depth - 1));
    }
    case 'object': {
      const o: Record<string, unknown> = {};
      const n = depth > 0 ? rng.int(0, 3) : 0;
      for (let i = 0; i < n; i++)
        o[rng.chance(0.7) ? asciiString(rng, 8) : unicodeString(rng)] = randomValue(rng, depth - 1);
      return o;
    }
  }
}

export function randomValue(rng: Prng, depth = 2): unknown {
  return valueOfType(rng, rng.pick(VALUE_TYPES), depth);
}

/** A value nested `depth` levels deep, e.g. [[[...]]] or {"a":{"a":...}}. */
export function deepNest(rng: Prng): unknown {
  const depth = rng.pick([50, 500, 5_000, 50_000]);
  const useArray = rng.chance(0.5);
  let v: unknown = rng.chance(0.5) ? 'leaf' : 1;
  for (let i = 0; i < depth; i++) v = useArray ? [v] : { a: v };
  return v;
}

export const BAD_NAMES = [
  '',
  '-leading-dash',
  'trailing-dash-',
  'UPPER',
  'under_score',
  'dots..double',
  '.',
  '..',
  'a/b',
  'a%2Fb',
  'white space',
  'ñame',
  '🚢',
  'a'.repeat(64),
  'a'.repeat(254),
  'a'.repeat(70_000),
  '*',
  'a:b',
  'name\u0000nul',
];

export function badName(rng: Prng): string {
  return rng.chance(0.85) ? rng.pick(BAD_NAMES) : unicodeString(rng);
}

export const BAD_LABEL_KEYS = [
  '',
  'bad key',
  '-x',
  'x-',
  'a/b/c',
  '/x',
  'x/',
  'UPPER.example.com/ok',
  'example.com/' + 'k'.repeat(64),
  'k'.repeat(64),
  's'.repeat(254) + '/k',
  'ké',
  'kubernetes.io/',
];

export const BAD_LABEL_VALUES = ['bad value', '-x', 'x-', 'v'.repeat(64), 'vé', 'a/b', '🚢', 'x\ny'];

export function badLabels(rng: Prng): unknown {
  return rng.weighted<() => unknown>([
    [4, () => ({ [rng.pick(BAD_LABEL_KEYS)]: 'v' })],
    [4, () => ({ ok: rng.pick(BAD_LABEL_VALUES) })],
    [2, () => ({ ok: randomValue(rng) })],
    [1, () => randomValue(rng)],
  ])();
}

export const BAD_QUANTITIES: unknown[] = [
  '',
  'abc',
  '1.5.5',
  '-1',
  '--1',
  '1e1000',
  '1E',
  '100Xi',
  '0x10',
  ' 1',
  '1 ',
  '1Gi1',
  '9'.repeat(400),
  '0.' + '0'.repeat(400) + '1',
  '1e-1000',
  'NaN',
  'Infinity',
  '+',
  '.',
  1e308,
  -5,
  1.5,
  true,
  null,
  [],
  {},
];

export const BAD_SELECTORS: unknown[] = [
  { matchLabels: { 'bad key': 'v' } },
  { matchLabels: { ok: 'bad value' } },
  { matchExpressions: [{ key: 'a', operator: 'Nope', values: ['x'] }] },
  { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
  { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
  { matchExpressions: [{ key: '', operator: 'In', values: ['x'] }] },
  { matchExpressions: [{ operator: 'In' }] },
  { matchExpressions: 'a in (b)' },
  { matchExpressions: [null] },
  { matchLabels: null, matchExpressions: null },
  {},
  'app=x',
  [],
  null,
];

/** Raw label selector text for query strings: mostly near-valid grammar with garbage mixed in. */
export function labelSelectorText(rng: Prng): string {
  return rng.weighted<() => string>([
    [3, () => rng.pick(['a=b', 'a==b', 'a!=b', 'a', '!a', 'a in (b,c)', 'a notin (b)', 'a>1', 'a<2'])],
    [
      4,
      () =>
        rng.pick([
          'a in b',
          'a in (',
          'a in ()',
          '=b',
          '!',
          '!!a',
          'a=b=c',
          ',',
          'a,,b',
          'a=(b)',
          'a in (b c)',
          'a>b',
          'bad key=v',
          'a=' + 'v'.repeat(100),
          'k'.repeat(300) + '=v',
          '(',
          ')',
          'a notin',
          'a=b,',
          '🚢=1',
          'a=\u0000',
        ]),
    ],
    [2, () => asciiString(rng, 30)],
    [1, () => unicodeString(rng)],
  ])();
}

export function fieldSelectorText(rng: Prng): string {
  return rng.weighted<() => string>([
    [
      3,
      () => rng.pick(['metadata.name=x', 'metadata.namespace!=y', 'status.phase=Running', 'spec.nodeName=n']),
    ],
    [
      4,
      () =>
        rng.pick([
          'spec.foo=x',
          'metadata.name',
          'metadata.name==',
          '=x',
          'metadata.name in (a)',
          'metadata.name=a,b',
          'metadata.name=a\\',
          'metadata.name=a\\,b',
          'status.phase!=',
          'involvedObject.uid=' + 'u'.repeat(500),
          ',',
          '!metadata.name',
          'metadata.labels=a',
        ]),
    ],
    [2, () => asciiString(rng, 30)],
    [1, () => unicodeString(rng)],
  ])();
}

/** Continue tokens: garbage text, or base64 JSON that looks like a real token with odd fields. */
export function continueToken(rng: Prng): string {
  if (rng.chance(0.4))
    return rng.pick(['x', '!!!', '', '=', 'e30', '%%%', asciiString(rng, 40), unicodeString(rng)]);
  const token: Record<string, unknown> = {
    v: rng.pick(['meta.k8s.io/v1', 'meta.k8s.io/v2', '', 42]),
    rv: rng.pick<unknown>([1, 0, -1, 1e300, 'x', null, 1.5, 99999999]),
    start: rng.pick<unknown>(['', 'a', '/abs', '../../x', 'a\u0000', '\uffff', 5, null]),
  };
  if (rng.chance(0.2)) delete token[rng.pick(['v', 'rv', 'start'])];
  const json = rng.chance(0.1) ? '{"v":' : JSON.stringify(token);
  return Buffer.from(json).toString(rng.chance(0.8) ? 'base64url' : 'base64');
}

export function resourceVersionText(rng: Prng): string {
  return rng.pick([
    '0',
    '1',
    '-1',
    'abc',
    '1.5',
    '99999999999999999999',
    '18446744073709551616',
    ' ',
    '1e3',
    '0x10',
    '',
  ]);
}
