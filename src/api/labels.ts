/**
 * Label selectors as k8s.io/apimachinery/pkg/labels: the string syntax (`a=b,c!=d,e in (f,g),!h`) and the
 * metav1.LabelSelector object form, compiled to one matcher type.
 */
import { badRequest, fieldErr, type FieldError } from './errors.js';
import { isPlainObject } from './meta.js';
import { isQualifiedName, isValidLabelValue } from './validation/names.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  /** Sorted, deduplicated. */
  values: string[];
}

export type Labels = Record<string, string> | undefined;

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  /** True when the selector matches everything (no requirements). */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  /** Canonical string form, requirements sorted by key (`labels.Selector.String()`). */
  toString(): string;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^[+-]?\d+$/.test(value)) return false;
      const have = BigInt(value);
      const want = BigInt(r.values[0] ?? '0');
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

class CompiledSelector implements LabelSelector {
  readonly requirements: readonly Requirement[];
  constructor(
    requirements: Requirement[],
    private readonly nothing = false,
  ) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }
  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Matches every object. */
export const everything: LabelSelector = new CompiledSelector([]);
/** Matches no object (a nil selector in the object form). */
export const nothing: LabelSelector = new CompiledSelector([], true);

export function labelSelectorFromRequirements(requirements: Requirement[]): LabelSelector {
  return new CompiledSelector(requirements);
}

// ---------- the string syntax ----------

type Tok = 'id' | 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'end' | 'error';

interface Item {
  tok: Tok;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(input: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < input.length && isSpace(input[i] ?? '')) i++;
    if (i >= input.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    const c = input[i] ?? '';
    if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        items.push({ tok: two, lit: two });
        i += 2;
      } else {
        items.push({ tok: c as Tok, lit: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < input.length && !isSpace(input[j] ?? '') && !SPECIAL.has(input[j] ?? '')) j++;
    const word = input.slice(i, j);
    items.push({ tok: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', lit: word });
    i = j;
  }
}

/** Upstream's field.Error rendering for errors raised without a path (`<nil>: Invalid value: …`). */
function invalidText(path: string, value: unknown, detail: string): string {
  const e = fieldErr.invalid(path, value, detail);
  return `${e.field}: ${e.message}`;
}

class ParseError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context the keywords `in`/`notin` are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.pos] ?? { tok: 'end', lit: '' };
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.look(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.requirement());
      } catch (err) {
        if (err instanceof ParseError) throw new ParseError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.next(true);
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.look(true);
      if (t2.tok !== 'id' && t2.tok !== '!') {
        throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let negate = false;
    let item = this.next(true);
    if (item.tok === '!') {
      negate = true;
      item = this.next(true);
    }
    if (item.tok !== 'id') throw new ParseError(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new ParseError(invalidText('<nil>', key, keyErrs.join('; ')));
    const la = this.look(true).tok;
    if (negate || la === 'end' || la === ',') {
      return newRequirement(key, negate ? '!' : 'exists', []);
    }
    const opItem = this.next(false);
    let op: Operator;
    switch (opItem.tok) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        op = opItem.tok;
        break;
      case '>':
        op = 'gt';
        break;
      case '<':
        op = 'lt';
        break;
      default:
        throw new ParseError(`found '${opItem.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, op, values);
  }

  private exactValue(): string[] {
    const la = this.look(true);
    if (la.tok === 'end' || la.tok === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'id') return [it.lit];
    throw new ParseError(`found '${it.lit}', expected: identifier`);
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const la = this.look(true);
    if (la.tok === ')') {
      this.next(true);
      return [''];
    }
    if (la.tok !== 'id' && la.tok !== ',') {
      throw new ParseError(`found '${la.lit}', expected: ',', ')' or identifier`);
    }
    const set = new Set<string>();
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'id') {
        set.add(it.lit);
        const after = this.look(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') break;
        throw new ParseError(`found '${after.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // `(,a)`, `(a,,b)` and `(a,)` all put the empty value in the set.
        if (set.size === 0) set.add('');
        const after = this.look(true);
        if (after.tok === ')') {
          set.add('');
          break;
        }
        if (after.tok === ',') {
          this.next(true);
          set.add('');
        }
      } else {
        throw new ParseError(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    const close = this.next(true);
    if (close.tok !== ')') throw new ParseError(`found '${close.lit}', expected: ')'`);
    return [...set];
  }
}

/** Build a requirement with upstream's NewRequirement checks; throws ParseError with upstream's text. */
function newRequirement(key: string, op: Operator, vals: string[]): Requirement {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) throw new ParseError(invalidText('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (vals.length === 0)
        errs.push(invalidText('values', vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1)
        errs.push(invalidText('values', vals, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0)
        errs.push(invalidText('values', vals, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1)
        errs.push(invalidText('values', vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) {
          errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
  }
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalidText(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length === 1) throw new ParseError(errs[0]);
  if (errs.length > 1) throw new ParseError(`[${errs.join(', ')}]`);
  return { key, operator: op, values: [...new Set(vals)].sort() };
}

/** Parse a `labelSelector` query string. Throws ApiError 400 with upstream's parser messages. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return new CompiledSelector(new Parser(lex(s)).parse());
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
}

// ---------- the object form (metav1.LabelSelector) ----------

/** Label map validation as metav1validation.ValidateLabels (errors carry the map's path, not the key's). */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isPlainObject(labels))
    return [fieldErr.typeInvalid(path, labels, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErr.invalid(path, k, msg));
    if (typeof v !== 'string') {
      errs.push(fieldErr.typeInvalid(`${path}.${k}`, v, 'must be a string'));
      continue;
    }
    for (const msg of isValidLabelValue(v)) errs.push(fieldErr.invalid(path, v, msg));
  }
  return errs;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isPlainObject(sel)) return [fieldErr.typeInvalid(path, sel, 'must be a label selector object')];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  const exprs = sel.matchExpressions;
  if (exprs === undefined || exprs === null) return errs;
  if (!Array.isArray(exprs))
    return [...errs, fieldErr.typeInvalid(`${path}.matchExpressions`, exprs, 'must be a list')];
  exprs.forEach((expr: unknown, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isPlainObject(expr)) {
      errs.push(fieldErr.typeInvalid(p, expr, 'must be an object'));
      return;
    }
    const values = Array.isArray(expr.values) ? (expr.values as unknown[]) : [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(
            fieldErr.forbidden(
              `${p}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errs.push(fieldErr.invalid(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof expr.key === 'string' ? expr.key : '';
    for (const msg of isQualifiedName(key)) errs.push(fieldErr.invalid(`${p}.key`, key, msg));
    values.forEach((v, j) => {
      const s = typeof v === 'string' ? v : String(v);
      for (const msg of isValidLabelValue(s)) errs.push(fieldErr.invalid(`${p}.values[${j}]`, s, msg));
    });
  });
  return errs;
}

/**
 * Compile a metav1.LabelSelector (LabelSelectorAsSelector): undefined/null matches nothing, `{}` matches
 * everything. Throws ApiError 400 for an invalid selector; validate first with validateLabelSelector.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === undefined || sel === null) return nothing;
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
    for (const e of sel.matchExpressions ?? []) {
      const op = OBJECT_OPERATORS[e.operator];
      if (!op) throw new ParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
    }
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
  return new CompiledSelector(reqs);
}

const OBJECT_OPERATORS: Record<string, Operator | undefined> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * The string form of a metav1.LabelSelector, e.g. `app=nginx,tier in (web)` (what the scale subresource's
 * status.selector carries). Empty selectors give ''; kubectl itself renders '' as `<none>`.
 */
export function selectorString(sel: LabelSelectorObject | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}

/** A selector from a plain label map (matchLabels only), e.g. a Service's spec.selector. */
export function selectorFromSet(set: Record<string, string>): LabelSelector {
  return new CompiledSelector(
    Object.entries(set).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })),
  );
}
