/** Lease (coordination.k8s.io/v1): durations and transitions. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isQualifiedName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { rec, str } from './core-common.js';

const STRATEGIES = ['OldestEmulationVersion'];

/** Kubernetes-defined names, or any qualified `prefix/name`. Upstream nests the path one level too deep. */
function validateLeaseStrategy(strategy: string): FieldError[] {
  const path = 'spec.strategy.strategy';
  if (!strategy.includes('/')) {
    return STRATEGIES.includes(strategy) ? [] : [fieldErr.notSupported(path, strategy, STRATEGIES)];
  }
  return isQualifiedName(strategy).map((m) => fieldErr.invalid(path, strategy, m));
}

function validateLease(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs: FieldError[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0) {
    errs.push(fieldErr.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0) {
    errs.push(fieldErr.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  const strategy = str(spec.strategy);
  if (typeof spec.strategy === 'string') errs.push(...validateLeaseStrategy(strategy));
  if (str(spec.preferredHolder) !== '' && strategy === '') {
    errs.push(fieldErr.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseStrategy: Strategy = {
  validate: validateLease,
};
