/** Lease (coordination.k8s.io/v1): durations and transitions. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { rec, str } from './core-common.js';

const STRATEGIES = ['OldestEmulationVersion'];

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
  if (strategy !== '' && !STRATEGIES.includes(strategy)) {
    errs.push(fieldErr.notSupported('spec.strategy', strategy, STRATEGIES));
  }
  if (str(spec.preferredHolder) !== '' && strategy === '') {
    errs.push(fieldErr.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseStrategy: Strategy = {
  validate: validateLease,
};
