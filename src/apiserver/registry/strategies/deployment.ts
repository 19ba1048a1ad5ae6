/** Deployment (apps/v1) strategy: SetDefaults_Deployment and ValidateDeployment/Update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { child, nonNegative, obj } from './util.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validateControllerTemplate,
  validatePositiveIntOrPercent,
  validateRequiredSelector,
} from './workload-validation.js';

export function defaultDeployment(spec: Record<string, any>): void {
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = child(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null)
    spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) {
    spec.progressDeadlineSeconds = 600;
  }
  defaultPodTemplateSpec(spec.template);
}

function validateStrategy(strategy: unknown, path: string): FieldError[] {
  const s = obj(strategy) ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate
        ? [
            fieldErr.forbidden(
              `${path}.rollingUpdate`,
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ]
        : [];
    case 'RollingUpdate': {
      const ru = obj(s.rollingUpdate);
      if (!ru)
        return [fieldErr.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(
          fieldErr.invalid(
            `${p}.maxUnavailable`,
            ru.maxUnavailable ?? 0,
            'may not be 0 when `maxSurge` is 0',
          ),
        );
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      return errs;
    }
    default:
      return [fieldErr.notSupported(`${path}.type`, s.type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeploymentSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs = nonNegative(s.replicas, `${path}.replicas`);
  const sel = validateRequiredSelector(s.selector, `${path}.selector`, 'deployment');
  errs.push(...sel.errs);
  errs.push(...validateControllerTemplate(s.template, sel.selector, `${path}.template`, 'ReplicaSet'));
  errs.push(...validateStrategy(s.strategy, `${path}.strategy`));
  errs.push(...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`));
  errs.push(...nonNegative(s.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(s.progressDeadlineSeconds, `${path}.progressDeadlineSeconds`));
    if (s.progressDeadlineSeconds <= (typeof s.minReadySeconds === 'number' ? s.minReadySeconds : 0)) {
      errs.push(
        fieldErr.invalid(
          `${path}.progressDeadlineSeconds`,
          s.progressDeadlineSeconds,
          'must be greater than minReadySeconds',
        ),
      );
    }
  }
  return errs;
}

export const deploymentStrategy: Strategy = makeStrategy(
  {},
  {
    defaults: (o) => defaultDeployment(child(o, 'spec')),
    prepareForCreate(o) {
      o.status = {};
    },
    validateSpec: (o) => validateDeploymentSpec(o.spec, 'spec'),
    validateSpecUpdate: (o, old) =>
      validateImmutableField(obj(o.spec)?.selector, obj(old.spec)?.selector, 'spec.selector'),
  },
);
