import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { isSet, podContainers } from './containers.js';
import { containersPhrase, joinQuote, sortedUnique } from './format.js';

/** Baseline: securityContext.procMount must be unset or "Default". */
export function procMountV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const bad: string[] = [];
  const types: string[] = [];
  for (const container of podContainers(spec)) {
    const procMount = container.securityContext?.procMount;
    if (isSet(procMount) && procMount !== 'Default') {
      bad.push(container.name);
      types.push(procMount);
    }
  }
  if (bad.length === 0) return undefined;
  return {
    forbiddenReason: 'procMount',
    forbiddenDetail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`,
  };
}

export const procMount: CheckDefinition = {
  id: 'procMount',
  level: 'baseline',
  versions: [{ minVersion: 0, check: procMountV1Dot0 }],
};
