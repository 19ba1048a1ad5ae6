import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Container, PodSpec, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { PodCheck } from '../types.js';

export interface CheckCase {
  name: string;
  meta?: ObjectMeta;
  spec: Partial<PodSpec>;
  /** Both unset: the pod is allowed. */
  reason?: string;
  detail?: string;
}

/** One test per case: the check allows the pod, or forbids it with exactly `reason` and `detail`. */
export function testCheck(title: string, check: PodCheck, cases: readonly CheckCase[]): void {
  for (const { name, meta, spec, reason, detail } of cases) {
    test(`${title}: ${name}`, () => {
      const result = check(meta ?? {}, { containers: [], ...spec });
      if (reason === undefined) assert.equal(result, undefined);
      else assert.deepEqual(result, { forbiddenReason: reason, forbiddenDetail: detail });
    });
  }
}

/** A container with the given name and security context. */
export function container(
  name: string,
  securityContext?: SecurityContext,
  extra?: Partial<Container>,
): Container {
  return { name, ...(securityContext ? { securityContext } : {}), ...extra };
}
