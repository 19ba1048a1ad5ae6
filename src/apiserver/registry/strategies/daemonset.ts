/** DaemonSet (apps/v1) strategy: SetDefaults_DaemonSet and ValidateDaemonSet/Update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { labelSelectorFromObject, validateLabelSelector } from '../../../api/labels.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import {
  child,
  clone,
  deepEqual,
  goStringMap,
  invalidRendered,
  nonNegative,
  obj,
  TEMPLATE_SELECTOR_MISMATCH,
  type Obj,
} from './util.js';
import {
  alwaysRestartNoDeadline,
  intOrPercentValue,
  isNotMoreThan100Percent,
  templateLabels,
  validatePositiveIntOrPercent,
} from './workload-validation.js';

/** apps/v1 keeps the old templateGeneration counter in this annotation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export function defaultDaemonSet(spec: Obj): void {
  const us = child(spec, 'updateStrategy');
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = child(us, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null)
    spec.revisionHistoryLimit = 10;
  defaultPodTemplateSpec(spec.template);
}

function validateUpdateStrategy(strategy: unknown, path: string): FieldError[] {
  const s = obj(strategy) ?? {};
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate')
    return [fieldErr.notSupported(`${path}.type`, s.type ?? '', ['RollingUpdate', 'OnDelete'])];
  const ru = obj(s.rollingUpdate);
  if (!ru) return [fieldErr.required(`${path}.rollingUpdate`)];
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
    ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(
      fieldErr.invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'),
    );
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(fieldErr.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

export function validateDaemonSetSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs: FieldError[] = [];
  // Upstream has no Required check here: a nil selector matches nothing, so the template check reports it.
  const selErrs = validateLabelSelector(s.selector, `${path}.selector`);
  errs.push(...selErrs);
  if (selErrs.length === 0) {
    let matches = false;
    try {
      matches = labelSelectorFromObject(obj(s.selector)).matches(templateLabels(s.template));
    } catch {
      matches = true;
    }
    if (!matches) {
      errs.push(
        invalidRendered(
          `${path}.template.metadata.labels`,
          goStringMap(templateLabels(s.template)),
          TEMPLATE_SELECTOR_MISMATCH,
        ),
      );
    }
  }
  const sel = obj(s.selector);
  if (
    sel &&
    Object.keys(obj(sel.matchLabels) ?? {}).length +
      (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) ===
      0
  ) {
    errs.push(fieldErr.invalid(`${path}.selector`, sel, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(s.template, `${path}.template`));
  errs.push(...alwaysRestartNoDeadline(s.template, `${path}.template`, 'DaemonSet'));
  errs.push(...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`));
  errs.push(...validateUpdateStrategy(s.updateStrategy, `${path}.updateStrategy`));
  errs.push(...nonNegative(s.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  return errs;
}

export const daemonSetStrategy: Strategy = makeStrategy(
  {
    initialStatus: () => ({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    }),
  },
  {
    defaults: (o) => defaultDaemonSet(child(o, 'spec')),
    prepareForCreate(o) {
      const meta = o.metadata ?? (o.metadata = {});
      meta.annotations = { ...(meta.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: '1' };
    },
    prepareForUpdate(o, old) {
      const oldGen = Number(old.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? '1') || 1;
      // Defaults run after this hook; compare the template as it will be stored.
      const template = clone(obj(o.spec)?.template);
      defaultPodTemplateSpec(template);
      const changed = !deepEqual(template, obj(old.spec)?.template);
      const meta = o.metadata ?? (o.metadata = {});
      meta.annotations = {
        ...(meta.annotations ?? {}),
        [TEMPLATE_GENERATION_ANNOTATION]: String(changed ? oldGen + 1 : oldGen),
      };
    },
    validateSpec: (o) => validateDaemonSetSpec(o.spec, 'spec'),
    validateSpecUpdate: (o, old) =>
      validateImmutableField(obj(o.spec)?.selector, obj(old.spec)?.selector, 'spec.selector'),
  },
);
