import { stringify as toYaml } from 'yaml';
import type { Prng } from './prng.js';
import {
  BAD_QUANTITIES,
  BAD_SELECTORS,
  VALUE_TYPES,
  asciiString,
  badLabels,
  badName,
  deepNest,
  hugeString,
  randomValue,
  typeOf,
  unicodeString,
  valueOfType,
  weirdNumber,
} from './values.js';

type Json = unknown;
type Path = (string | number)[];

/** Paths deeper than this are not offered to mutations (deeply nested values stay opaque). */
const MAX_PATH_DEPTH = 40;

/** Every path in the tree (not the root) down to MAX_PATH_DEPTH, in document order. */
export function allPaths(root: Json): Path[] {
  const out: Path[] = [];
  const stack: { value: Json; path: Path }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (path.length >= MAX_PATH_DEPTH || value === null || typeof value !== 'object') continue;
    const entries: [string | number, Json][] = Array.isArray(value)
      ? value.map((v, i): [number, Json] => [i, v])
      : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push({ value: child, path: [...path, key] });
    }
    for (const [key] of entries) out.push([...path, key]);
  }
  return out;
}

/** Nesting depth of a JSON value, computed without recursion. */
export function depthOf(root: Json): number {
  let max = 0;
  const stack: [Json, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, d] = stack.pop()!;
    max = Math.max(max, d);
    if (value !== null && typeof value === 'object')
      for (const child of Object.values(value)) stack.push([child, d + 1]);
  }
  return max;
}

function parentOf(root: Json, path: Path): any {
  let cur: any = root;
  for (const seg of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg];
  }
  return cur !== null && typeof cur === 'object' ? cur : undefined;
}

/** Sets `value` at `path`, creating objects on the way (overwriting scalars that are in the way). */
export function setAt(root: Record<string, unknown>, path: Path, value: Json): void {
  let cur: any = root;
  for (const seg of path.slice(0, -1)) {
    if (cur[seg] === null || typeof cur[seg] !== 'object') cur[seg] = {};
    cur = cur[seg];
  }
  cur[path[path.length - 1]!] = value;
}

function deleteAt(root: Json, path: Path): void {
  const parent = parentOf(root, path);
  if (!parent) return;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete parent[last];
}

/** Paths inside the object that hold resource quantities, when the kind has them. */
function quantityPaths(obj: Record<string, unknown>): Path[] {
  return allPaths(obj).filter((p) => {
    const s = p.join('.');
    return /resources\.(requests|limits)\.[a-z]+$/.test(s) || /\.hard\.[a-z.]+$/.test(s);
  });
}

function selectorPaths(obj: Record<string, unknown>): Path[] {
  return allPaths(obj).filter((p) => {
    const last = p[p.length - 1];
    return last === 'selector' || last === 'podSelector';
  });
}

/** One random structural or semantic mutation, in place. Returns a short description. */
export function mutateOnce(rng: Prng, obj: Record<string, unknown>): string {
  const paths = allPaths(obj);
  const anyPath = (): Path => (paths.length ? rng.pick(paths) : ['metadata']);
  const op = rng.weighted<string>([
    [6, 'delete'],
    [8, 'retype'],
    [3, 'duplicate'],
    [3, 'unknown-field'],
    [3, 'huge-string'],
    [3, 'unicode'],
    [4, 'number'],
    [2, 'deep-nest'],
    [5, 'bad-name'],
    [4, 'bad-labels'],
    [2, 'bad-annotations'],
    [3, 'wrong-type-meta'],
    [4, 'bad-quantity'],
    [3, 'bad-selector'],
    [3, 'metadata-garbage'],
  ]);
  switch (op) {
    case 'delete': {
      const p = anyPath();
      deleteAt(obj, p);
      return `delete ${p.join('.')}`;
    }
    case 'retype': {
      const p = anyPath();
      const parent = parentOf(obj, p);
      const current = parent?.[p[p.length - 1]!];
      const others = VALUE_TYPES.filter((t) => t !== typeOf(current));
      setAt(obj, p, valueOfType(rng, rng.pick(others)));
      return `retype ${p.join('.')}`;
    }
    case 'duplicate': {
      const p = anyPath();
      const parent = parentOf(obj, p);
      if (!parent) return 'duplicate (none)';
      const value = parent[p[p.length - 1]!];
      if (depthOf(value) > 64) return 'duplicate (too deep)';
      if (Array.isArray(parent)) parent.push(structuredClone(value));
      else parent[`${String(p[p.length - 1])}${rng.pick(['', '2', 'Copy'])}`] = structuredClone(value);
      if (Array.isArray(value)) value.push(...structuredClone(value));
      return `duplicate ${p.join('.')}`;
    }
    case 'unknown-field': {
      const p = [...anyPath(), rng.pick(['foo', 'spec', 'metadata', '$patch', 'x-y', unicodeString(rng)])];
      const parent = parentOf(obj, p);
      if (parent && !Array.isArray(parent)) parent[p[p.length - 1]!] = randomValue(rng);
      return `unknown-field ${p.join('.')}`;
    }
    case 'huge-string': {
      const p = anyPath();
      setAt(obj, p, hugeString(rng));
      return `huge-string ${p.join('.')}`;
    }
    case 'unicode': {
      const p = anyPath();
      setAt(obj, p, unicodeString(rng));
      return `unicode ${p.join('.')}`;
    }
    case 'number': {
      const p = anyPath();
      setAt(obj, p, weirdNumber(rng));
      return `number ${p.join('.')}`;
    }
    case 'deep-nest': {
      const p = rng.chance(0.5) ? anyPath() : ['metadata', 'annotations'];
      setAt(obj, p, deepNest(rng));
      return `deep-nest ${p.join('.')}`;
    }
    case 'bad-name': {
      const field = rng.pick(['name', 'generateName', 'namespace']);
      setAt(obj, ['metadata', field], rng.chance(0.8) ? badName(rng) : randomValue(rng));
      return `bad-name metadata.${field}`;
    }
    case 'bad-labels': {
      const where = rng.pick<Path>([
        ['metadata', 'labels'],
        ['spec', 'template', 'metadata', 'labels'],
      ]);
      setAt(obj, where, badLabels(rng));
      return `bad-labels ${where.join('.')}`;
    }
    case 'bad-annotations': {
      const value = rng.weighted<() => unknown>([
        [2, () => ({ big: 'x'.repeat(rng.pick([262_145, 300_000])) })],
        [2, () => ({ [rng.pick(['bad key', '', 'a/b/c', 'k'.repeat(64)])]: 'v' })],
        [1, () => ({ ok: randomValue(rng) })],
        [1, () => randomValue(rng)],
      ])();
      setAt(obj, ['metadata', 'annotations'], value);
      return 'bad-annotations';
    }
    case 'wrong-type-meta': {
      const field = rng.pick(['apiVersion', 'kind']);
      const value = rng.pick<unknown>([
        'v2',
        'apps/v1',
        'batch/v1',
        'nope.example.com/v1',
        '',
        '/',
        'v1/v1',
        'Deployment',
        'ConfigMap',
        'Pod',
        'List',
        'Status',
        'deployment',
        'DeleteOptions',
        5,
        null,
        [],
        {},
      ]);
      if (rng.chance(0.15)) delete obj[field];
      else obj[field] = value;
      return `wrong ${field}`;
    }
    case 'bad-quantity': {
      const qp = quantityPaths(obj);
      const p = qp.length ? rng.pick(qp) : ['spec', 'resources', 'requests', 'storage'];
      setAt(obj, p, rng.pick(BAD_QUANTITIES));
      return `bad-quantity ${p.join('.')}`;
    }
    case 'bad-selector': {
      const sp = selectorPaths(obj);
      const p = sp.length ? rng.pick(sp) : ['spec', 'selector'];
      setAt(obj, p, structuredClone(rng.pick(BAD_SELECTORS)));
      return `bad-selector ${p.join('.')}`;
    }
    case 'metadata-garbage': {
      const field = rng.pick([
        'resourceVersion',
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'finalizers',
        'ownerReferences',
        'managedFields',
        'selfLink',
      ]);
      const value = rng.weighted<() => unknown>([
        [3, () => randomValue(rng)],
        [2, () => asciiString(rng)],
        [1, () => [{ apiVersion: 'v1', kind: 'X', name: badName(rng), uid: randomValue(rng) }]],
        [1, () => [{ manager: 5, operation: 'Nope', fieldsV1: { 'f:x': randomValue(rng) } }]],
        [1, () => ['bad finalizer!', '']],
      ])();
      setAt(obj, ['metadata', field], value);
      return `metadata-garbage metadata.${field}`;
    }
  }
  return op;
}

/** Applies 1–3 mutations; returns their descriptions. */
export function mutate(rng: Prng, obj: Record<string, unknown>): string[] {
  const n = rng.weighted([
    [6, 1],
    [3, 2],
    [1, 3],
  ]);
  return Array.from({ length: n }, () => mutateOnce(rng, obj));
}

export type Encoding = 'json' | 'yaml';

/** Serializes a body; sometimes damages the text (duplicate keys, truncation, huge exponents, bad bytes). */
export function encodeBody(rng: Prng, value: Json, encoding: Encoding): { body: Buffer; note: string } {
  let text: string;
  try {
    text = encoding === 'yaml' ? toYaml(value, { aliasDuplicateObjects: false }) : JSON.stringify(value);
  } catch {
    // Too deep for the client's own serializer: send JSON built by hand.
    text = '['.repeat(20_000) + ']'.repeat(20_000);
  }
  if (!rng.chance(0.2)) return { body: Buffer.from(text), note: '' };
  const damage = rng.pick([
    'duplicate-key',
    'truncate',
    'exponent',
    'trailing',
    'bom',
    'invalid-utf8',
    'scalar-root',
    'nul',
    'empty',
  ]);
  switch (damage) {
    case 'duplicate-key':
      text = text.replace(
        '{',
        rng.pick(['{"metadata":{"name":"dup"},', '{"kind":"Pod",', '{"spec":null,', '{"apiVersion":"v1",']),
      );
      break;
    case 'truncate':
      text = text.slice(0, rng.int(0, text.length));
      break;
    case 'exponent':
      text = text.replace(
        /:(\d+)([,}\]])/,
        `:${rng.pick(['1e400', '-1e400', '1e-400', '1.0', '01', '-', '0x1F', '9007199254740993', '-0'])}$2`,
      );
      break;
    case 'trailing':
      text += rng.pick(['}', ']', ',', ' garbage', '\n---\nkind: Pod\n', '{}', '\u0000']);
      break;
    case 'bom':
      text = '\ufeff' + text;
      break;
    case 'invalid-utf8': {
      const buf = Buffer.from(text);
      const at = rng.int(0, buf.length);
      return {
        body: Buffer.concat([buf.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), buf.subarray(at)]),
        note: 'invalid-utf8',
      };
    }
    case 'scalar-root':
      text = rng.pick(['null', '[]', '"str"', '0', 'true', '[{}]', '{}', '- a\n- b\n', '~', 'a: [b']);
      break;
    case 'nul':
      text = text.replace('"', '"\u0000');
      break;
    case 'empty':
      text = rng.pick(['', ' ', '\n']);
      break;
  }
  return { body: Buffer.from(text), note: damage };
}
