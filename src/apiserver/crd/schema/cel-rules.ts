/**
 * Evaluation of `x-kubernetes-validations` CEL rules on custom resources (upstream's
 * apiextensions-apiserver/pkg/apiserver/schema/cel), with the `@marcbachmann/cel-js` interpreter. Each rule
 * sees its schema node's value as `self`, and transition rules (those naming `oldSelf`) also see the stored
 * value at the same place, when an update has one. Integers are CEL ints, as the schema types them.
 *
 * Not done: upstream's cost budgets, its type checking against the schema when a CRD is written, and the
 * Kubernetes extension functions cel-library.ts does not provide. A rule that calls one of those, or
 * otherwise cannot be evaluated, is skipped rather than failing the write.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { isPlainObject } from '../../../api/meta.js';
import { literalEnd, withKubernetesLibraries, withRe2Matches } from './cel-library.js';
import type { JSONSchemaProps, ValidationRule } from './types.js';

/** Rules see oldSelf as a value; optionalOldSelf rules as an optional (declared so, for its methods). */
let environments: { plain: Environment; optionalOldSelf: Environment } | undefined;
let optionalOf: ((value: unknown) => unknown) | undefined;
let optionalNone: unknown;
let loading: Promise<void> | undefined;

/**
 * Loads the interpreter (kept out of a server that serves no CRD: it weighs several MiB). Everything that
 * compiles or evaluates rules runs after it: the CRD controller before it serves a CRD, and CRD writes.
 */
export function loadCel(): Promise<void> {
  loading ??= import('@marcbachmann/cel-js').then(({ Environment, Optional }) => {
    optionalOf = (v) => Optional.of(v);
    optionalNone = Optional.none();
    const environment = (oldSelfType: string): Environment =>
      withKubernetesLibraries(
        new Environment({
          unlistedVariablesAreDyn: true,
          enableOptionalTypes: true,
          homogeneousAggregateLiterals: false,
        })
          .registerVariable('self', 'dyn')
          .registerVariable('oldSelf', oldSelfType),
      );
    environments = { plain: environment('dyn'), optionalOldSelf: environment('optional<dyn>') };
  });
  return loading;
}

type Program = ReturnType<Environment['parse']>;

const programs = new Map<string, Program | Error>();

function compile(expression: string, optionalOldSelf = false): Program | Error {
  // A caller that did not load the interpreter first is a bug: fail loudly rather than skip rules.
  if (!environments) throw new Error('CEL interpreter used before loadCel()');
  const key = `${optionalOldSelf ? '?' : ' '}${expression}`;
  let program = programs.get(key);
  if (!program) {
    const env = optionalOldSelf ? environments.optionalOldSelf : environments.plain;
    try {
      program = env.parse(withRe2Matches(expression));
    } catch (err) {
      program = err instanceof Error ? err : new Error(String(err));
    }
    // Bounded: dry-run CRD writes could otherwise fill it with rules never served.
    if (programs.size >= 1000) programs.clear();
    programs.set(key, program);
  }
  return program;
}

/** Why a rule does not compile, or undefined (CRD validation reports it as upstream's "compilation failed"). */
export function celCompileError(expression: string): string | undefined {
  const program = compile(expression);
  return program instanceof Error ? program.message.split('\n')[0] : undefined;
}

const isTransitionRule = (rule: ValidationRule): boolean => /\boldSelf\b/.test(rule.rule ?? '');

/**
 * Iterations a rule may take at most, in place of upstream's cost budgets (1,000,000 per call): macros
 * nested d deep over a value with n list items and map entries in all take up to n^d steps. Checked
 * before evaluating, since a running evaluation cannot be stopped.
 */
const ITERATION_BUDGET = 1_000_000;
const MACROS = ['all', 'exists', 'exists_one', 'map', 'filter'];

/** How deep comprehension macros nest in a rule (string literals skipped). */
export function macroDepth(rule: string): number {
  const open: boolean[] = [];
  let depth = 0;
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i]!;
    if (c === '"' || c === "'") i = literalEnd(rule, i) - 1;
    else if (c === '(') {
      const before = rule.slice(Math.max(0, i - 12), i);
      const macro = MACROS.some((m) => before.endsWith(`.${m}`));
      open.push(macro);
      depth = Math.max(depth, open.filter(Boolean).length);
    } else if (c === ')') open.pop();
  }
  return depth;
}

/** List items and map entries in a value, all levels (stops counting past the budget). */
function elementCount(value: unknown, limit: number): number {
  let count = 0;
  const stack = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    const children = Array.isArray(v) ? v : isPlainObject(v) ? Object.values(v) : [];
    count += children.length;
    stack.push(...children);
  }
  return count;
}

/** Whether nested macros of `rule` could take more than 1,000,000 steps over `self` (checked before running). */
export function overBudget(rule: string, self: unknown): boolean {
  const depth = macroDepth(rule);
  if (depth === 0) return false;
  const n = elementCount(self, ITERATION_BUDGET);
  return n ** depth > ITERATION_BUDGET;
}

/** A value as CEL sees it: integers (by the schema, or whole numbers where it says nothing) become ints. */
function celValue(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (typeof value === 'number') {
    const integral = schema?.type === 'integer' || (schema?.type !== 'number' && Number.isInteger(value));
    return integral && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => celValue(v, itemsOf(schema)));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = celValue(v, childSchema(schema, k));
    return out;
  }
  return value;
}

/** A structural schema's items (the tuple form is not structural). */
function itemsOf(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return schema?.items && !Array.isArray(schema.items) ? schema.items : undefined;
}

function childSchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  const prop = schema?.properties?.[key];
  if (prop) return prop;
  const extra = schema?.additionalProperties;
  return typeof extra === 'object' ? extra : undefined;
}

/** Upstream's error for a failed rule: the reason picks the kind of field error; the value shown is the type. */
function ruleError(at: string, schema: JSONSchemaProps, rule: ValidationRule, message: string): FieldError {
  // Rules at the root have no field path, which upstream prints as <nil>.
  const path = at || '<nil>';
  const type = schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'integer-or-string' : 'object');
  switch (rule.reason) {
    case 'FieldValueRequired':
      return fieldErr.required(path, message);
    case 'FieldValueForbidden':
      return fieldErr.forbidden(path, message);
    case 'FieldValueDuplicate':
      return fieldErr.duplicate(path, type);
    default:
      return fieldErr.invalid(path, type, message);
  }
}

function failureMessage(rule: ValidationRule, context: Record<string, unknown>): string {
  if (rule.messageExpression) {
    const program = compile(rule.messageExpression);
    if (!(program instanceof Error)) {
      try {
        const text = program(context);
        if (typeof text === 'string' && text.trim() !== '') return text;
      } catch {
        // Upstream falls back to message (or the default) when messageExpression fails.
      }
    }
  }
  return rule.message?.trim() || `failed rule: ${(rule.rule ?? '').trim()}`;
}

/** The place a failed rule is reported: its node, or the node's child its fieldPath names (`.spec.x`). */
function errorPath(path: string, rule: ValidationRule): string {
  const extra = (rule.fieldPath ?? '').trim();
  if (!extra) return path;
  return path
    ? `${path}${extra.startsWith('[') ? '' : '.'}${extra.replace(/^\./, '')}`
    : extra.replace(/^\./, '');
}

const NO_OLD = Symbol('no old value');

interface Walk {
  errors: FieldError[];
  /** Only rules naming oldSelf (an update's second pass: the others ran on the new object alone). */
  transitionOnly: boolean;
}

function evaluateRules(
  value: unknown,
  old: unknown,
  schema: JSONSchemaProps,
  path: string,
  walk: Walk,
): void {
  const rules = schema['x-kubernetes-validations'] ?? [];
  for (const rule of rules) {
    const transition = isTransitionRule(rule);
    // optionalOldSelf rules also run without a stored value (oldSelf is then optional.none()).
    const optional = transition && rule.optionalOldSelf === true;
    const runs = walk.transitionOnly ? transition && old !== NO_OLD : !transition || optional;
    if (!runs) continue;
    const program = compile(rule.rule ?? '', optional);
    if (program instanceof Error) continue;
    if (overBudget(rule.rule, value)) {
      const type = schema.type ?? 'object';
      walk.errors.push(
        fieldErr.invalid(path || '<nil>', type, `call cost exceeds limit for rule: ${rule.rule.trim()}`),
      );
      continue;
    }
    const context: Record<string, unknown> = { self: celValue(value, schema) };
    if (transition) {
      const oldSelf = walk.transitionOnly ? celValue(old, schema) : undefined;
      context.oldSelf = !optional ? oldSelf : walk.transitionOnly ? optionalOf!(oldSelf) : optionalNone;
    }
    let result: unknown;
    try {
      result = program(context);
    } catch {
      continue;
    }
    if (result === false)
      walk.errors.push(ruleError(errorPath(path, rule), schema, rule, failureMessage(rule, context)));
  }
}

function visit(value: unknown, old: unknown, schema: JSONSchemaProps, path: string, walk: Walk): void {
  if (value === undefined || value === null) return;
  evaluateRules(value, old, schema, path, walk);
  const at = (key: string): string => (path ? `${path}.${key}` : key);
  if (isPlainObject(value)) {
    const oldObject = isPlainObject(old) ? old : undefined;
    for (const [key, child] of Object.entries(value)) {
      const sub = childSchema(schema, key);
      if (!sub) continue;
      const oldChild = oldObject && key in oldObject ? oldObject[key] : NO_OLD;
      const childPath = schema.properties?.[key] ? at(key) : `${path}[${key}]`;
      visit(child, oldChild, sub, childPath, walk);
    }
  } else if (Array.isArray(value)) {
    const items = itemsOf(schema);
    // List items are not correlated with the stored list (upstream does so for map and set lists).
    if (items) value.forEach((item, i) => visit(item, NO_OLD, items, `${path}[${i}]`, walk));
  }
}

/** The root `self` shows only metadata.name and generateName, as upstream. */
function rootView(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const metadata: Record<string, unknown> = {};
  if (meta.name !== undefined) metadata.name = meta.name;
  if (meta.generateName !== undefined) metadata.generateName = meta.generateName;
  return { ...obj, metadata };
}

/** Failed rules of a create (or of an update's new object, transition rules aside). */
export function validateCelRules(obj: Record<string, unknown>, schema: JSONSchemaProps): FieldError[] {
  const walk: Walk = { errors: [], transitionOnly: false };
  visit(rootView(obj), NO_OLD, schema, '', walk);
  return walk.errors;
}

/** Failed transition rules of an update: each sees the stored value at its place as oldSelf. */
export function validateCelTransitionRules(
  obj: Record<string, unknown>,
  old: Record<string, unknown>,
  schema: JSONSchemaProps,
): FieldError[] {
  const walk: Walk = { errors: [], transitionOnly: true };
  visit(rootView(obj), rootView(old), schema, '', walk);
  return walk.errors;
}

/** A schemaless value as CEL sees it (whole numbers as ints), for expressions outside CRD schemas. */
export function celDynValue(value: unknown): unknown {
  return celValue(value, undefined);
}
