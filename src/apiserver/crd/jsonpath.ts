/**
 * Evaluation of Kubernetes JSONPath templates over plain JSON, as upstream's FindResults with missing keys
 * allowed (what printer columns use). Values keep upstream's typing: integral numbers are int64 and others
 * float64, as JSON decodes into unstructured objects.
 */
import { isPlainObject } from '../../api/meta.js';
import { parseTemplate, type JsonPathNode, type ListNode, type SliceParam } from './jsonpath-parse.js';

/** A float literal of a filter (`1.0`): a float64 even when integral, unlike numbers of the data. */
export class GoFloat {
  constructor(readonly value: number) {}
}

interface Step {
  values: unknown[];
  error?: string;
}

export interface JsonPath {
  readonly template: string;
  /** One result list per top-level node of the template. Throws an Error where upstream returns one. */
  find(data: unknown): unknown[][];
}

/** Compiles a template such as `{.status.replicas}`. Throws an Error on bad syntax. */
export function compileJsonPath(template: string): JsonPath {
  const root = parseTemplate(template);
  return {
    template,
    find(data) {
      return root.nodes.map((node) => {
        const step = walk([data], node);
        if (step.error !== undefined) throw new Error(step.error);
        return step.values;
      });
    },
  };
}

function walk(input: unknown[], node: JsonPathNode): Step {
  switch (node.type) {
    case 'list':
      return evalList(input, node);
    case 'text':
      return { values: [node.text] };
    case 'field':
      return evalField(input, node.name);
    case 'array':
      return evalArray(input, node.params);
    case 'filter':
      return evalFilter(input, node);
    case 'int':
    case 'bool':
      return { values: input.map(() => node.value) };
    case 'float':
      return { values: input.map(() => new GoFloat(node.value)) };
    case 'wildcard':
      return { values: input.flatMap(children) };
    case 'recursive':
      return { values: recursive(input) };
    case 'union':
      return evalUnion(input, node.branches);
    case 'identifier':
      // `range`/`end` loops are a kubectl output feature; columns never need them.
      return { values: input, error: `unrecognized identifier ${node.name}` };
  }
}

function evalList(input: unknown[], node: ListNode): Step {
  let cur = input;
  for (const child of node.nodes) {
    const step = walk(cur, child);
    if (step.error !== undefined) return step;
    cur = step.values;
  }
  return { values: cur };
}

/** A map key; absent keys give nothing (no error), a key holding null gives null. */
function evalField(input: unknown[], name: string): Step {
  const values: unknown[] = [];
  for (const v of input) {
    if (isPlainObject(v) && Object.hasOwn(v, name)) values.push(v[name]);
  }
  return { values };
}

function evalArray(input: unknown[], params: readonly SliceParam[]): Step {
  const values: unknown[] = [];
  for (const v of input) {
    if (v === null || v === undefined) continue;
    if (!Array.isArray(v)) return { values: input, error: `${goType(v)} is not array or slice` };
    const len = v.length;
    const [from, to, step] = params.map((p) => ({ ...p })) as [SliceParam, SliceParam, SliceParam];
    if (!from.known) from.value = 0;
    if (from.value < 0) from.value += len;
    if (!to.known) to.value = len;
    if (to.value < 0 || (to.value === 0 && to.derived)) to.value += len;
    // Upstream answers an empty slice request with what it has collected so far.
    if (to.value === from.value) return { values };
    if (from.value >= len || from.value < 0) {
      return { values: input, error: `array index out of bounds: index ${from.value}, length ${len}` };
    }
    if (to.value > len || to.value < 0) {
      return { values: input, error: `array index out of bounds: index ${to.value - 1}, length ${len}` };
    }
    if (from.value > to.value) {
      return {
        values: input,
        error: `starting index ${from.value} is greater than ending index ${to.value}`,
      };
    }
    if (step.known && step.value <= 0) return { values: input, error: 'step must be > 0' };
    const stride = step.known ? step.value : 1;
    for (let i = from.value; i < to.value; i += stride) values.push(v[i]);
  }
  return { values };
}

function evalUnion(input: unknown[], branches: ListNode[]): Step {
  const values: unknown[] = [];
  for (const branch of branches) {
    const step = evalList(input, branch);
    if (step.error !== undefined) return { values: input, error: step.error };
    values.push(...step.values);
  }
  return { values };
}

function evalFilter(input: unknown[], node: Extract<JsonPathNode, { type: 'filter' }>): Step {
  const values: unknown[] = [];
  for (const v of input) {
    if (!Array.isArray(v)) {
      return { values: input, error: `${goType(v)} is not array or slice and cannot be filtered` };
    }
    for (const item of v as unknown[]) {
      const lefts = evalList([item], node.left);
      // An existence test counts whatever the left side produced, errors included (as upstream).
      if (node.operator === 'exists') {
        if (lefts.values.length > 0) values.push(item);
        continue;
      }
      const left = single(lefts);
      if ('error' in left) return { values: input, error: left.error };
      if (!left.found) continue;
      const right = single(evalList([item], node.right));
      if ('error' in right) return { values: input, error: right.error };
      if (!right.found) continue;
      const pass = compare(node.operator, left.value, right.value);
      if (typeof pass === 'string') return { values, error: pass };
      if (pass) values.push(item);
    }
  }
  return { values };
}

/** The one value a filter operand must produce; none skips the item. */
function single(step: Step): { found: boolean; value?: unknown } | { error: string } {
  if (step.error !== undefined) return { error: step.error };
  if (step.values.length > 1) return { error: 'can only compare one element at a time' };
  return step.values.length === 0 ? { found: false } : { found: true, value: step.values[0] };
}

type Kind = 'bool' | 'int' | 'float' | 'string';

function kindOf(v: unknown): Kind | undefined {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return undefined;
}

const scalar = (v: unknown): unknown => (v instanceof GoFloat ? v.value : v);

/** The comparison functions of Go's text/template, which upstream's filters use: a boolean or an error. */
function compare(op: string, a: unknown, b: unknown): boolean | string {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!ka || !kb) return 'invalid type for comparison';
  if (ka !== kb) return 'incompatible types for comparison';
  const x = scalar(a) as number | string | boolean;
  const y = scalar(b) as number | string | boolean;
  if (op === '==') return x === y;
  if (op === '!=') return x !== y;
  if (!['<', '<=', '>', '>='].includes(op)) return `unrecognized filter operator ${op}`;
  if (ka === 'bool') return 'invalid type for comparison';
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

/** Map values, array items, or a string's bytes (upstream indexes Go strings bytewise). */
function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v as unknown[];
  if (isPlainObject(v)) return Object.values(v);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return [];
}

/** `..`: every value that has children, with its descendants, depth first. */
function recursive(input: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    const kids = children(v);
    if (kids.length === 0) continue;
    out.push(v, ...recursive(kids));
  }
  return out;
}

/** Go's name for the type of an unstructured value, for error messages. */
function goType(v: unknown): string {
  if (v === null || v === undefined) return '<invalid reflect.Value>';
  if (isPlainObject(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return 'float64';
}
