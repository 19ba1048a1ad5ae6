/** Checks shared by the controllers' specs (pkg/apis/apps/validation/validation.go). */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { labelSelectorFromObject, validateLabelSelector, type LabelSelector } from '../../../api/labels.js';
import { isValidPercent, NEGATIVE_ERROR } from '../../../api/validation/names.js';
import { percentValue, type IntOrString } from '../../../api/intstr.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { goStringMap, invalidRendered, obj, TEMPLATE_SELECTOR_MISMATCH, type Obj } from './util.js';

/** ValidatePositiveIntOrPercent: a non-negative int or a `N%` string. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidRendered(path, v, m));
  if (typeof v === 'number') return v < 0 ? [fieldErr.invalid(path, v, NEGATIVE_ERROR)] : [];
  return [fieldErr.typeInvalid(path, v, 'must be an integer or a percentage string')];
}

export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string') return [];
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [invalidRendered(path, v, 'must not be greater than 100%')] : [];
}

/** getIntOrPercentValue: the number, ignoring a trailing %. */
export function intOrPercentValue(v: IntOrString | undefined | null): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return percentValue(v) ?? 0;
  return 0;
}

/**
 * A required, non-empty spec.selector (`empty selector is invalid for <what>`), compiled when valid.
 */
export function validateRequiredSelector(
  sel: unknown,
  path: string,
  what: string,
): { errs: FieldError[]; selector?: LabelSelector } {
  if (sel === undefined || sel === null) return { errs: [fieldErr.required(path)] };
  const errs = validateLabelSelector(sel, path);
  const s = obj(sel) ?? {};
  const count =
    Object.keys(obj(s.matchLabels) ?? {}).length +
    (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0);
  if (count === 0) errs.push(fieldErr.invalid(path, sel, `empty selector is invalid for ${what}`));
  if (errs.length) return { errs };
  try {
    return { errs, selector: labelSelectorFromObject(s) };
  } catch {
    return { errs: [fieldErr.invalid(path, sel, 'invalid label selector')] };
  }
}

export function templateLabels(template: unknown): Obj | undefined {
  return obj(obj(obj(template)?.metadata)?.labels);
}

export function selectorMismatch(
  selector: LabelSelector | undefined,
  template: unknown,
  path: string,
): FieldError[] {
  if (!selector || selector.empty) return [];
  const labels = templateLabels(template);
  return selector.matches(labels)
    ? []
    : [invalidRendered(path, goStringMap(labels), TEMPLATE_SELECTOR_MISMATCH)];
}

/**
 * ValidatePodTemplateSpecForReplicaSet (also used, with another `kind`, for the other pod controllers):
 * labels match the selector, the template is a valid pod template, restartPolicy Always, no activeDeadlineSeconds.
 */
export function validateControllerTemplate(
  template: unknown,
  selector: LabelSelector | undefined,
  path: string,
  kind: string,
): FieldError[] {
  if (!obj(template)) return [fieldErr.required(path)];
  const errs = [
    ...selectorMismatch(selector, template, `${path}.metadata.labels`),
    ...validatePodTemplateSpec(template, path),
  ];
  errs.push(...alwaysRestartNoDeadline(template, path, kind));
  return errs;
}

export function alwaysRestartNoDeadline(template: unknown, path: string, kind: string): FieldError[] {
  const spec = obj(obj(template)?.spec) ?? {};
  const errs: FieldError[] = [];
  if (spec.restartPolicy !== 'Always') {
    errs.push(fieldErr.notSupported(`${path}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(
      fieldErr.forbidden(
        `${path}.spec.activeDeadlineSeconds`,
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}
