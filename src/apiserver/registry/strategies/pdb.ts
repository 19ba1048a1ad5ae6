/** PodDisruptionBudget (policy/v1) strategy: ValidatePodDisruptionBudget. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabelSelector } from '../../../api/labels.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { obj } from './util.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './workload-validation.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePDBSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs: FieldError[] = [];
  if (s.minAvailable != null && s.maxUnavailable != null) {
    errs.push(fieldErr.invalid(path, s, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (s[k] == null) continue;
    errs.push(...validatePositiveIntOrPercent(s[k], `${path}.${k}`));
    errs.push(...isNotMoreThan100Percent(s[k], `${path}.${k}`));
  }
  errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  if (s.unhealthyPodEvictionPolicy != null && !EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(
      fieldErr.notSupported(
        `${path}.unhealthyPodEvictionPolicy`,
        s.unhealthyPodEvictionPolicy,
        EVICTION_POLICIES,
      ),
    );
  }
  return errs;
}

export const podDisruptionBudgetStrategy: Strategy = makeStrategy(
  {
    initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  },
  { validateSpec: (o) => validatePDBSpec(o.spec, 'spec') },
);
