/**
 * CEL for ValidatingAdmissionPolicies: the interpreter with Kubernetes' extension functions and the policy
 * variables (`object`, `oldObject`, `request`, `params`, `namespaceObject`, `variables`, `authorizer`), all
 * dynamic; loaded on first use, as for CRD rules.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { withKubernetesLibraries, withRe2Matches } from '../crd/schema/cel-library.js';

const VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];

let environment: Environment | undefined;
let loading: Promise<void> | undefined;

export function loadPolicyCel(): Promise<void> {
  loading ??= import('@marcbachmann/cel-js').then(({ Environment }) => {
    let env = new Environment({
      unlistedVariablesAreDyn: false,
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
    });
    for (const name of VARIABLES) env = env.registerVariable(name, 'dyn');
    environment = withKubernetesLibraries(env);
  });
  return loading;
}

type Program = ReturnType<Environment['parse']>;
const programs = new Map<string, Program | Error>();

/** The parsed expression, or its parse error (cached, bounded; the interpreter must be loaded). */
export function compilePolicyExpression(expression: string): Program | Error {
  if (!environment) throw new Error('CEL interpreter used before loadPolicyCel()');
  let program = programs.get(expression);
  if (!program) {
    try {
      program = environment.parse(withRe2Matches(expression));
    } catch (err) {
      program = err instanceof Error ? err : new Error(String(err));
    }
    if (programs.size >= 1000) programs.clear();
    programs.set(expression, program);
  }
  return program;
}
