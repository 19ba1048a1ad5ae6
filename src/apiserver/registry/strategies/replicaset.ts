/** ReplicaSet (apps/v1) and ReplicationController (v1) strategies. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { selectorFromSet, validateLabels } from '../../../api/labels.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { child, nonNegative, obj } from './util.js';
import { validateControllerTemplate, validateRequiredSelector } from './workload-validation.js';

export function validateReplicaSetSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs = [
    ...nonNegative(s.replicas, `${path}.replicas`),
    ...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`),
  ];
  // Upstream's ReplicaSet message says "deployment" too.
  const sel = validateRequiredSelector(s.selector, `${path}.selector`, 'deployment');
  errs.push(...sel.errs);
  errs.push(...validateControllerTemplate(s.template, sel.selector, `${path}.template`, 'ReplicaSet'));
  return errs;
}

export const replicaSetStrategy: Strategy = makeStrategy(
  { initialStatus: () => ({ replicas: 0 }) },
  {
    defaults(o) {
      const spec = child(o, 'spec');
      if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
      defaultPodTemplateSpec(spec.template);
    },
    validateSpec: (o) => validateReplicaSetSpec(o.spec, 'spec'),
    validateSpecUpdate: (o, old) =>
      validateImmutableField(obj(o.spec)?.selector, obj(old.spec)?.selector, 'spec.selector'),
  },
);

export function validateReplicationControllerSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs = [
    ...nonNegative(s.replicas, `${path}.replicas`),
    ...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`),
  ];
  const selMap = obj(s.selector);
  if (!selMap || Object.keys(selMap).length === 0) errs.push(fieldErr.required(`${path}.selector`));
  else errs.push(...validateLabels(selMap, `${path}.selector`));
  const selector = selMap ? selectorFromSet(selMap) : undefined;
  errs.push(...validateControllerTemplate(s.template, selector, `${path}.template`, 'ReplicationController'));
  return errs;
}

export const replicationControllerStrategy: Strategy = makeStrategy(
  { initialStatus: () => ({ replicas: 0 }) },
  {
    defaults(o) {
      const spec = child(o, 'spec');
      const labels = obj(obj(obj(spec.template)?.metadata)?.labels);
      if (labels) {
        if (!obj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
        const meta = o.metadata ?? (o.metadata = {});
        if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
      }
      if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
      defaultPodTemplateSpec(spec.template);
    },
    validateSpec: (o) => validateReplicationControllerSpec(o.spec, 'spec'),
  },
);
