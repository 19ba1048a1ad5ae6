/** Node (core/v1): podCIDRs, taints, providerID; status may be set on create (the node agent registers with it). */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isQualifiedName, isValidLabelValue } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import {
  clone,
  goStrings,
  invalidRaw,
  keepOldStatus,
  list,
  rec,
  str,
  validateCIDR,
  type Obj,
} from './core-common.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateTaintEffect: `allowEmpty` for tolerations, which may leave the effect out. */
export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): FieldError[] {
  const e = str(effect);
  if (e === '') return allowEmpty ? [] : [fieldErr.required(path)];
  return TAINT_EFFECTS.includes(e) ? [] : [fieldErr.notSupported(path, e, TAINT_EFFECTS)];
}

export function validateTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(taints).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const taint = rec(item) ?? {};
    const key = str(taint.key);
    for (const msg of isQualifiedName(key)) errs.push(fieldErr.invalid(`${p}.key`, key, msg));
    const value = str(taint.value);
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length) errs.push(fieldErr.invalid(`${p}.value`, value, valueErrs.join(';')));
    errs.push(...validateTaintEffect(taint.effect, false, `${p}.effect`));
    const id = `${str(taint.effect)}\u0000${key}`;
    if (seen.has(id)) {
      const dup = fieldErr.duplicate(p, taint);
      errs.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
      return;
    }
    seen.add(id);
  });
  return errs;
}

function defaultNode(obj: KubeObject): void {
  const status = rec(obj.status);
  if (status && status.allocatable === undefined && rec(status.capacity)) {
    status.allocatable = clone(status.capacity);
  }
}

function validateNode(obj: KubeObject): FieldError[] {
  const spec: Obj = rec(obj.spec) ?? {};
  const errs: FieldError[] = [];
  // podCIDR is only the first of podCIDRs (defaults keep them in step), so only podCIDRs is checked.
  const podCIDRs = list(spec.podCIDRs).map(str);
  podCIDRs.forEach((c, i) => errs.push(...validateCIDR(c, `spec.podCIDRs[${i}]`)));
  if (podCIDRs.length > 1) {
    const families = new Set(podCIDRs.map((c) => (c.includes(':') ? 6 : 4)));
    if (podCIDRs.length > 2 || families.size < podCIDRs.length) {
      errs.push(
        invalidRaw(
          'spec.podCIDRs',
          goStrings(podCIDRs),
          'may specify no more than one CIDR for each IP family',
        ),
      );
    }
  }
  errs.push(...validateTaints(spec.taints, 'spec.taints'));
  return errs;
}

/** As upstream's v1 conversion: podCIDRs wins; a lone podCIDR becomes podCIDRs. */
function normalizePodCIDRs(spec: Obj): void {
  const podCIDRs = list(spec.podCIDRs);
  if (podCIDRs.length > 0) spec.podCIDR = podCIDRs[0];
  else if (spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
}

function validateNodeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec: Obj = rec(obj.spec) ?? {};
  const oldSpec: Obj = rec(old.spec) ?? {};
  const errs: FieldError[] = [];
  const oldCIDRs = list(oldSpec.podCIDRs);
  if (oldCIDRs.length > 0 && JSON.stringify(oldCIDRs) !== JSON.stringify(list(spec.podCIDRs))) {
    errs.push(
      fieldErr.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'),
    );
  }
  if (str(oldSpec.providerID) !== '' && spec.providerID !== oldSpec.providerID) {
    errs.push(
      fieldErr.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'),
    );
  }
  return errs;
}

export const nodeStrategy: Strategy = {
  defaults: (obj) => {
    defaultNode(obj);
    if (rec(obj.spec)) normalizePodCIDRs(obj.spec as Obj);
  },
  keepsStatusOnCreate: true,
  prepareForUpdate: keepOldStatus,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
};
