/** RuntimeClass (node.k8s.io/v1): the handler (a DNS label, immutable), pod overhead and scheduling. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabels } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { rec, validateDNSLabel } from './core-common.js';
import { validateTolerations } from './pod-validation.js';
import { validateResourceRequirements } from './resource-validation.js';

function validateRuntimeClass(obj: KubeObject): FieldError[] {
  const handler = obj.handler;
  const errs: FieldError[] =
    typeof handler === 'string' && handler !== ''
      ? validateDNSLabel(handler, 'handler')
      : [fieldErr.required('handler')];
  const overhead = rec(obj.overhead);
  // Upstream checks the fixed overhead as a container's limits, and reports it so.
  if (overhead) errs.push(...validateResourceRequirements({ limits: overhead.podFixed }, 'overhead'));
  const scheduling = rec(obj.scheduling);
  if (scheduling) {
    errs.push(...validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(scheduling.tolerations, 'scheduling.tolerations'));
    const seen = new Set<string>();
    (Array.isArray(scheduling.tolerations) ? scheduling.tolerations : []).forEach((t: unknown, i) => {
      const tol = rec(t) ?? {};
      const key = JSON.stringify([tol.key ?? '', tol.operator ?? '', tol.value ?? '', tol.effect ?? '']);
      if (seen.has(key)) errs.push(fieldErr.duplicate(`scheduling.tolerations[${i}]`, t));
      seen.add(key);
    });
  }
  return errs;
}

export const runtimeClassStrategy: Strategy = {
  validate: validateRuntimeClass,
  validateUpdate: (obj, old) => validateImmutableField(obj.handler, old.handler, 'handler'),
};
