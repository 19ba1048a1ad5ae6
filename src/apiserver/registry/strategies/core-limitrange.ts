/** LimitRange (core/v1): container defaults from max/min, type names, min <= defaultRequest <= default <= max. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { formatQuantity, quantityToNumber, tryParseQuantity, type Quantity } from '../../../api/quantity.js';
import { isQualifiedName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { child, list, rec, str } from './core-common.js';
import { validateContainerResourceName, validateResourceName } from './core-resourcenames.js';

const STANDARD_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
type BoundName = 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio';

interface Bound {
  text: string;
  q: Quantity;
}

function defaultLimitRange(obj: KubeObject): void {
  for (const item of list(rec(obj.spec)?.limits)) {
    const limit = rec(item);
    if (!limit || limit.type !== 'Container') continue;
    const fill = (from: string, to: string): void => {
      const src = rec(limit[from]);
      if (!src || Object.keys(src).length === 0) return;
      const dst = child(limit, to);
      for (const [k, v] of Object.entries(src)) if (!(k in dst)) dst[k] = v;
    };
    fill('max', 'default');
    fill('default', 'defaultRequest');
    fill('min', 'defaultRequest');
  }
}

function validateTypeName(value: string, path: string): FieldError[] {
  const errs = isQualifiedName(value).map((m) => fieldErr.invalid(path, value, m));
  if (errs.length === 0 && !value.includes('/') && !STANDARD_TYPES.includes(value)) {
    errs.push(fieldErr.invalid(path, value, 'must be a standard limit type or fully qualified'));
  }
  return errs;
}

function validateLimitRange(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seenTypes = new Set<string>();
  list(rec(obj.spec)?.limits).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    const limit = rec(item) ?? {};
    const type = str(limit.type);
    errs.push(...validateTypeName(type, `${path}.type`));
    if (seenTypes.has(type)) errs.push(fieldErr.duplicate(`${path}.type`, type));
    seenTypes.add(type);

    const nameCheck =
      type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const values: Record<string, Map<string, Bound>> = {};
    const keys = new Set<string>();
    const collect = (bound: BoundName): void => {
      const parsed = new Map<string, Bound>();
      values[bound] = parsed;
      for (const [k, v] of Object.entries(rec(limit[bound]) ?? {})) {
        errs.push(...nameCheck(k, `${path}.${bound}[${k}]`));
        keys.add(k);
        const r = tryParseQuantity(v);
        if ('quantity' in r) parsed.set(k, { text: formatQuantity(r.quantity), q: r.quantity });
        else errs.push(fieldErr.invalid(`${path}.${bound}[${k}]`, v ?? '', r.error));
      }
    };
    collect('max');
    collect('min');
    if (type === 'Pod') {
      for (const bound of ['default', 'defaultRequest']) {
        if (Object.keys(rec(limit[bound]) ?? {}).length > 0) {
          errs.push(fieldErr.forbidden(`${path}.${bound}`, "may not be specified when `type` is 'Pod'"));
        }
      }
    } else {
      collect('default');
      collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !values.min?.has('storage') && !values.max?.has('storage')) {
      errs.push(
        fieldErr.required(
          `${path}.limits`,
          'either minimum or maximum storage value is required, but neither was provided',
        ),
      );
    }
    collect('maxLimitRequestRatio');
    for (const k of keys) {
      const min = values.min?.get(k);
      const max = values.max?.get(k);
      const def = values.default?.get(k);
      const req = values.defaultRequest?.get(k);
      const ratio = values.maxLimitRequestRatio?.get(k);
      const gt = (a: Bound, b: Bound): boolean => a.q.nanos > b.q.nanos;
      const s = (v: Bound): string => v.text;
      if (min && max && gt(min, max)) {
        errs.push(
          fieldErr.invalid(
            `${path}.min[${k}]`,
            min.text,
            `min value ${s(min)} is greater than max value ${s(max)}`,
          ),
        );
      }
      if (req && min && gt(min, req)) {
        errs.push(
          fieldErr.invalid(
            `${path}.defaultRequest[${k}]`,
            req.text,
            `min value ${s(min)} is greater than default request value ${s(req)}`,
          ),
        );
      }
      if (req && max && gt(req, max)) {
        errs.push(
          fieldErr.invalid(
            `${path}.defaultRequest[${k}]`,
            req.text,
            `default request value ${s(req)} is greater than max value ${s(max)}`,
          ),
        );
      }
      if (req && def && gt(req, def)) {
        errs.push(
          fieldErr.invalid(
            `${path}.defaultRequest[${k}]`,
            req.text,
            `default request value ${s(req)} is greater than default limit value ${s(def)}`,
          ),
        );
      }
      if (def && min && gt(min, def)) {
        errs.push(
          fieldErr.invalid(
            `${path}.default[${k}]`,
            min.text,
            `min value ${s(min)} is greater than default value ${s(def)}`,
          ),
        );
      }
      if (def && max && gt(def, max)) {
        errs.push(
          fieldErr.invalid(
            `${path}.default[${k}]`,
            max.text,
            `default value ${s(def)} is greater than max value ${s(max)}`,
          ),
        );
      }
      if (ratio && min && max && min.q.nanos > 0n) {
        const limitRatio = quantityToNumber(max.q) / quantityToNumber(min.q);
        if (quantityToNumber(ratio.q) > limitRatio) {
          errs.push(
            fieldErr.invalid(
              `${path}.maxLimitRequestRatio[${k}]`,
              ratio.text,
              `ratio ${s(ratio)} is greater than max/min = ${limitRatio.toFixed(6)}`,
            ),
          );
        }
      }
      if (ratio && ratio.q.nanos < 1_000_000_000n) {
        errs.push(
          fieldErr.invalid(
            `${path}.maxLimitRequestRatio[${k}]`,
            ratio.text,
            `ratio ${s(ratio)} is less than 1`,
          ),
        );
      }
    }
  });
  return errs;
}

export const limitRangeStrategy: Strategy = {
  defaults: defaultLimitRange,
  validate: validateLimitRange,
};
