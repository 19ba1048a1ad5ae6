/**
 * CEL of admission webhooks' `matchConditions` (upstream's k8s.io/apiserver/pkg/admission/plugin/cel with
 * the webhook variables): `object`, `oldObject`, `request`, `namespaceObject` and `authorizer`, all dynamic
 * here. Expressions are parsed with the `@marcbachmann/cel-js` interpreter and Kubernetes' extension
 * functions of cel-library.ts; the interpreter loads on first use (loadMatchConditionCel), as for CRD rules.
 *
 * Not done: upstream's typed `request` and `namespaceObject`, the authorizer library and cost budgets. So a
 * type error found by the interpreter's checker is not reported (it may be a function this server lacks), with
 * two exceptions upstream shares: a reference to an undeclared variable, and a result of a known type other
 * than bool ("must evaluate to bool").
 */
import type { Environment } from '@marcbachmann/cel-js';
import { withKubernetesLibraries, withRe2Matches } from '../../crd/schema/cel-library.js';

/** Variables a match condition may use (upstream's webhook match conditions have no `params`). */
export const MATCH_CONDITION_VARIABLES = [
  'object',
  'oldObject',
  'request',
  'namespaceObject',
  'authorizer',
] as const;

let environment: Environment | undefined;
let loading: Promise<void> | undefined;

/** Loads the interpreter once; everything below needs it (strategies await it in beforeWrite). */
export function loadMatchConditionCel(): Promise<void> {
  loading ??= import('@marcbachmann/cel-js').then(({ Environment }) => {
    let env = new Environment({
      unlistedVariablesAreDyn: false,
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
    });
    for (const name of MATCH_CONDITION_VARIABLES) env = env.registerVariable(name, 'dyn');
    environment = withKubernetesLibraries(env);
  });
  return loading;
}

/** A parsed match condition: call it with the variables (CEL values: integers as bigint) to evaluate it. */
export type MatchConditionProgram = ReturnType<Environment['parse']>;

const programs = new Map<string, MatchConditionProgram | Error>();

/** The parsed expression, or the parse error (cached; the interpreter must be loaded). */
export function compileMatchCondition(expression: string): MatchConditionProgram | Error {
  if (!environment) throw new Error('CEL interpreter used before loadMatchConditionCel()');
  let program = programs.get(expression);
  if (!program) {
    try {
      program = environment.parse(withRe2Matches(expression));
    } catch (err) {
      program = err instanceof Error ? err : new Error(String(err));
    }
    // Bounded: dry-run writes could otherwise fill it with expressions never stored.
    if (programs.size >= 1000) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

const UNKNOWN_VARIABLE = /^Unknown variable: ([\w.]+)/;

/**
 * Why a match condition is refused, as the detail of upstream's Invalid error on its `expression`
 * (`compilation failed: …`, `must evaluate to bool`), or undefined when it is accepted.
 */
export function matchConditionProblem(expression: string): string | undefined {
  const program = compileMatchCondition(expression);
  if (program instanceof Error) return `compilation failed: ${program.message.split('\n')[0]}`;
  const checked = program.check();
  if (!checked.valid) {
    const unknown = UNKNOWN_VARIABLE.exec(checked.error?.message ?? '');
    return unknown
      ? `compilation failed: undeclared reference to '${unknown[1]}' (in container '')`
      : undefined;
  }
  if (checked.type !== undefined && checked.type !== 'bool' && checked.type !== 'dyn')
    return 'must evaluate to bool';
  return undefined;
}
