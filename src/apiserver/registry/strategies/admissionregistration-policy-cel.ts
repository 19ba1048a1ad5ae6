/**
 * CEL of ValidatingAdmissionPolicies (upstream's k8s.io/apiserver/pkg/admission/plugin/cel compiler with the
 * policy variables): `object`, `oldObject`, `request` and `namespaceObject` always, `params` when the policy has
 * a `paramKind`, `authorizer` everywhere but in `messageExpression`, and `variables` when the policy declares
 * `spec.variables` (upstream's composited compiler). All are dynamic here. Expressions are parsed with the
 * `@marcbachmann/cel-js` interpreter and Kubernetes' extension functions of cel-library.ts, as the webhooks'
 * match conditions are (admissionregistration-cel.ts); the interpreter loads on first use (loadPolicyCel).
 *
 * As for match conditions, a type error found by the interpreter's checker is not reported (it may be a
 * function this server lacks), except what upstream reports the same way: a reference to an undeclared
 * variable, a field of `variables` that no variable (declared before, for a variable) defines, and a result of
 * a known type other than the expected ones (`must evaluate to bool`).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { withKubernetesLibraries, withRe2Matches } from '../../crd/schema/cel-library.js';

/** Which optional variables an expression may use (upstream's OptionalVariableDeclarations + composition). */
export interface PolicyCelDeclarations {
  /** `params`: the policy has a paramKind. */
  params: boolean;
  /** `authorizer`: every expression but messageExpression. */
  authorizer: boolean;
  /** `variables`: the policy declares spec.variables (not for match conditions). */
  variables: boolean;
}

/** The variables every policy expression may use. */
export const POLICY_BASE_VARIABLES = ['object', 'oldObject', 'request', 'namespaceObject'] as const;

type EnvironmentClass = typeof Environment;

let EnvironmentCtor: EnvironmentClass | undefined;
let loading: Promise<void> | undefined;

/** Loads the interpreter once; everything below needs it (strategies await it in beforeWrite). */
export function loadPolicyCel(): Promise<void> {
  loading ??= import('@marcbachmann/cel-js').then(({ Environment }) => {
    EnvironmentCtor = Environment;
  });
  return loading;
}

const keyOf = (d: PolicyCelDeclarations): string =>
  `${d.params ? 'p' : ''}${d.authorizer ? 'a' : ''}${d.variables ? 'v' : ''}`;

const environments = new Map<string, Environment>();

/** The environment declaring exactly these variables (built once per combination). */
function environmentFor(decls: PolicyCelDeclarations): Environment {
  if (!EnvironmentCtor) throw new Error('CEL interpreter used before loadPolicyCel()');
  const key = keyOf(decls);
  let env = environments.get(key);
  if (!env) {
    env = new EnvironmentCtor({
      unlistedVariablesAreDyn: false,
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
    });
    const names: string[] = [...POLICY_BASE_VARIABLES];
    if (decls.params) names.push('params');
    if (decls.authorizer) names.push('authorizer');
    if (decls.variables) names.push('variables');
    for (const name of names) env = env.registerVariable(name, 'dyn');
    env = withKubernetesLibraries(env);
    environments.set(key, env);
  }
  return env;
}

/** A parsed policy expression: call it with the variables (CEL values: integers as bigint) to evaluate it. */
export type PolicyProgram = ReturnType<Environment['parse']>;

const programs = new Map<string, PolicyProgram | Error>();

/** The parsed expression, or the parse error (cached; the interpreter must be loaded). */
export function compilePolicyExpression(
  expression: string,
  decls: PolicyCelDeclarations,
): PolicyProgram | Error {
  const cacheKey = `${keyOf(decls)}\u0000${expression}`;
  let program = programs.get(cacheKey);
  if (!program) {
    try {
      program = environmentFor(decls).parse(withRe2Matches(expression));
    } catch (err) {
      program = err instanceof Error ? err : new Error(String(err));
    }
    // Bounded: dry-run writes could otherwise fill it with expressions never stored.
    if (programs.size >= 2000) programs.clear();
    programs.set(cacheKey, program);
  }
  return program;
}

/** What an expression must evaluate to, in upstream's type names (`bool`, `string`, `null_type`); empty: any. */
export type PolicyReturnTypes = readonly string[];

export const RETURNS_BOOL: PolicyReturnTypes = ['bool'];
export const RETURNS_STRING: PolicyReturnTypes = ['string'];
export const RETURNS_STRING_OR_NULL: PolicyReturnTypes = ['string', 'null_type'];
export const RETURNS_ANY: PolicyReturnTypes = [];

/** The interpreter's name of a type, as cel-go prints it. */
const GO_TYPE_NAMES: Readonly<Record<string, string>> = { null: 'null_type' };

const UNKNOWN_VARIABLE = /^Unknown variable: ([\w.]+)/;

interface Node {
  op: string;
  args: unknown;
}

const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as Node).op === 'string' && 'args' in v;

/** The first `variables.<name>` (or `variables.?<name>`) whose name is not among `defined`. */
function undefinedVariableField(root: unknown, defined: ReadonlySet<string>): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    if (!isNode(v)) continue;
    if ((v.op === '.' || v.op === '.?') && Array.isArray(v.args)) {
      const [target, field] = v.args as [unknown, unknown];
      if (isNode(target) && target.op === 'id' && target.args === 'variables' && typeof field === 'string') {
        if (!defined.has(field)) return field;
      }
    }
    stack.push(v.args);
  }
  return undefined;
}

/**
 * Why a policy expression is refused, as the detail of upstream's Invalid error on its field
 * (`compilation failed: …`, `must evaluate to bool`), or undefined when it is accepted. `variableNames` are
 * the fields `variables` has for this expression (when decls.variables).
 */
export function policyExpressionProblem(
  expression: string,
  decls: PolicyCelDeclarations,
  returns: PolicyReturnTypes,
  variableNames: ReadonlySet<string> = new Set(),
): string | undefined {
  const program = compilePolicyExpression(expression, decls);
  if (program instanceof Error) return `compilation failed: ${program.message.split('\n')[0]}`;
  if (decls.variables) {
    const field = undefinedVariableField(program.ast, variableNames);
    if (field !== undefined) return `compilation failed: undefined field '${field}'`;
  }
  const checked = program.check();
  if (!checked.valid) {
    const unknown = UNKNOWN_VARIABLE.exec(checked.error?.message ?? '');
    return unknown
      ? `compilation failed: undeclared reference to '${unknown[1]}' (in container '')`
      : undefined;
  }
  const type = checked.type;
  if (returns.length === 0 || type === undefined || type === 'dyn') return undefined;
  if (returns.includes(GO_TYPE_NAMES[type] ?? type)) return undefined;
  return returns.length === 1
    ? `must evaluate to ${returns[0]}`
    : `must evaluate to one of [${returns.join(' ')}]`;
}
