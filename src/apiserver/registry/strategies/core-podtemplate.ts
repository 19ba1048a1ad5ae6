/**
 * PodTemplate (core/v1). Validates the template's metadata and that containers are given; the full pod
 * spec validation belongs to the workload strategies and can be plugged in with setPodSpecValidator.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabels } from '../../../api/labels.js';
import { validateAnnotations } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { list, rec } from './core-common.js';

export type PodSpecValidator = (spec: unknown, path: string) => FieldError[];

let podSpecValidator: PodSpecValidator | undefined;

/** Use the workload pod spec validation for `template.spec` when it is available. */
export function setPodSpecValidator(fn: PodSpecValidator | undefined): void {
  podSpecValidator = fn;
}

function validatePodTemplate(obj: KubeObject): FieldError[] {
  const template = rec(obj.template);
  if (!template) return [fieldErr.required('template')];
  const meta = rec(template.metadata) ?? {};
  const errs = [
    ...validateLabels(meta.labels, 'template.metadata.labels'),
    ...validateAnnotations(meta.annotations, 'template.metadata.annotations'),
  ];
  if (podSpecValidator) errs.push(...podSpecValidator(template.spec, 'template.spec'));
  else if (list(rec(template.spec)?.containers).length === 0)
    errs.push(fieldErr.required('template.spec.containers'));
  return errs;
}

export const podTemplateStrategy: Strategy = {
  validate: validatePodTemplate,
};
