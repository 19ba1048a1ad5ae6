/** HorizontalPodAutoscaler (autoscaling/v2) strategy: SetDefaults_HorizontalPodAutoscaler and validation. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { tryParseQuantity } from '../../../api/quantity.js';
import { validatePathSegmentName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { arr, child, clone, obj, type Obj } from './util.js';

const DEFAULT_CPU_UTILIZATION = 80;
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW = 3600;
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELD: Record<string, string> = {
  ContainerResource: 'containerResource',
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
};

const DEFAULT_SCALE_UP = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_SCALE_DOWN = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function mergeRules(given: unknown, defaults: Obj): Obj {
  const g = obj(given);
  const out = clone(defaults);
  if (!g) return out;
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) if (g[k] != null) out[k] = g[k];
  for (const [k, v] of Object.entries(g)) if (out[k] === undefined) out[k] = v;
  return out;
}

export function defaultHPASpec(spec: Obj): void {
  if (spec.minReplicas == null) spec.minReplicas = 1;
  if (arr(spec.metrics).length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  }
  const behavior = obj(spec.behavior);
  if (behavior) {
    behavior.scaleUp = mergeRules(behavior.scaleUp, DEFAULT_SCALE_UP);
    behavior.scaleDown = mergeRules(behavior.scaleDown, DEFAULT_SCALE_DOWN);
  }
}

function validateTarget(target: unknown, path: string): FieldError[] {
  const t = obj(target);
  if (!t) return [fieldErr.required(path, 'must specify a metric target')];
  const errs: FieldError[] = [];
  if (!t.type) errs.push(fieldErr.required(`${path}.type`, 'must specify a metric target type'));
  else if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) {
    errs.push(fieldErr.notSupported(`${path}.type`, t.type, ['Utilization', 'Value', 'AverageValue']));
  }
  for (const k of ['value', 'averageValue']) {
    if (t[k] == null) continue;
    const q = tryParseQuantity(t[k]);
    if ('error' in q) errs.push(fieldErr.invalid(`${path}.${k}`, t[k], q.error));
    else if (q.quantity.nanos <= 0n) errs.push(fieldErr.invalid(`${path}.${k}`, t[k], 'must be positive'));
  }
  if (t.averageUtilization != null && !(t.averageUtilization > 0)) {
    errs.push(fieldErr.invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetric(m: unknown, path: string): FieldError[] {
  const metric = obj(m) ?? {};
  const errs: FieldError[] = [];
  if (!metric.type) return [fieldErr.required(`${path}.type`, 'must specify a metric source type')];
  const field = SOURCE_FIELD[metric.type as string];
  if (!field) return [fieldErr.notSupported(`${path}.type`, metric.type, METRIC_TYPES)];
  for (const other of Object.values(SOURCE_FIELD)) {
    if (other !== field && metric[other] != null)
      errs.push(fieldErr.forbidden(`${path}.${other}`, 'must populate the given metric source only'));
  }
  const src = obj(metric[field]);
  if (!src)
    return [
      ...errs,
      fieldErr.required(`${path}.${field}`, 'must populate information for the given metric source'),
    ];
  const p = `${path}.${field}`;
  if (field === 'resource' || field === 'containerResource') {
    if (!src.name) errs.push(fieldErr.required(`${p}.name`, 'must specify a resource name'));
    if (field === 'containerResource' && !src.container)
      errs.push(fieldErr.required(`${p}.container`, 'must specify a container'));
    const t = obj(src.target) ?? {};
    if (t.averageValue != null && t.averageUtilization != null) {
      errs.push(
        fieldErr.forbidden(
          `${p}.target.averageValue`,
          'may not set both a target raw value and a target utilization',
        ),
      );
    }
    if (t.averageValue == null && t.averageUtilization == null) {
      errs.push(
        fieldErr.required(
          `${p}.target.averageUtilization`,
          'must set either a target raw value or a target utilization',
        ),
      );
    }
  } else if (!obj(src.metric)?.name) {
    errs.push(fieldErr.required(`${p}.metric.name`, 'must specify a metric name'));
  }
  if (field === 'object') {
    const ref = obj(src.describedObject) ?? {};
    errs.push(...validateCrossVersionObjectReference(ref, `${p}.describedObject`));
  }
  errs.push(...validateTarget(src.target, `${p}.target`));
  return errs;
}

function validateRules(rules: unknown, path: string): FieldError[] {
  const r = obj(rules);
  if (!r) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (typeof w === 'number') {
    if (w < 0)
      errs.push(
        fieldErr.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'),
      );
    if (w > MAX_STABILIZATION_WINDOW) {
      errs.push(
        fieldErr.invalid(
          `${path}.stabilizationWindowSeconds`,
          w,
          `must be less than or equal to ${MAX_STABILIZATION_WINDOW}`,
        ),
      );
    }
  }
  if (r.selectPolicy != null && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) {
    errs.push(fieldErr.notSupported(`${path}.selectPolicy`, r.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = arr(r.policies);
  if (policies.length === 0)
    errs.push(fieldErr.required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((pol, i) => {
    const p = `${path}.policies[${i}]`;
    const policy = obj(pol) ?? {};
    if (policy.type !== 'Pods' && policy.type !== 'Percent') {
      errs.push(fieldErr.notSupported(`${p}.type`, policy.type ?? '', ['Percent', 'Pods']));
    }
    if (!(typeof policy.value === 'number' && policy.value > 0)) {
      errs.push(fieldErr.invalid(`${p}.value`, policy.value ?? 0, 'must be greater than zero'));
    }
    const ps = policy.periodSeconds;
    if (!(typeof ps === 'number' && ps > 0))
      errs.push(fieldErr.invalid(`${p}.periodSeconds`, ps ?? 0, 'must be greater than zero'));
    else if (ps > MAX_PERIOD_SECONDS) {
      errs.push(
        fieldErr.invalid(`${p}.periodSeconds`, ps, `must be less than or equal to ${MAX_PERIOD_SECONDS}`),
      );
    }
  });
  return errs;
}

function validateCrossVersionObjectReference(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['kind', 'name']) {
    const v = ref[k];
    if (typeof v !== 'string' || v === '') errs.push(fieldErr.required(`${path}.${k}`));
    else for (const m of validatePathSegmentName(v, false)) errs.push(fieldErr.invalid(`${path}.${k}`, v, m));
  }
  return errs;
}

export function validateHPASpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs: FieldError[] = [];
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1) {
    errs.push(fieldErr.invalid(`${path}.minReplicas`, s.minReplicas, 'must be greater than or equal to 1'));
  }
  const max = typeof s.maxReplicas === 'number' ? s.maxReplicas : 0;
  if (max < 1) errs.push(fieldErr.invalid(`${path}.maxReplicas`, max, 'must be greater than 0'));
  if (typeof s.minReplicas === 'number' && max < s.minReplicas) {
    errs.push(fieldErr.invalid(`${path}.maxReplicas`, max, 'must be greater than or equal to `minReplicas`'));
  }
  errs.push(...validateCrossVersionObjectReference(obj(s.scaleTargetRef) ?? {}, `${path}.scaleTargetRef`));
  arr(s.metrics).forEach((m, i) => errs.push(...validateMetric(m, `${path}.metrics[${i}]`)));
  const behavior = obj(s.behavior);
  if (behavior) {
    errs.push(...validateRules(behavior.scaleUp, `${path}.behavior.scaleUp`));
    errs.push(...validateRules(behavior.scaleDown, `${path}.behavior.scaleDown`));
  }
  return errs;
}

export const horizontalPodAutoscalerStrategy: Strategy = makeStrategy(
  { initialStatus: () => ({ desiredReplicas: 0 }) },
  {
    defaults: (o) => defaultHPASpec(child(o, 'spec')),
    validateSpec: (o) => validateHPASpec(o.spec, 'spec'),
  },
);
