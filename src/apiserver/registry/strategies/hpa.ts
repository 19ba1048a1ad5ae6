/** HorizontalPodAutoscaler (autoscaling/v2) strategy: SetDefaults_HorizontalPodAutoscaler and validation. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { tryParseQuantity } from '../../../api/quantity.js';
import { validatePathSegmentName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { validateDNSLabel } from './core-common.js';
import { validateContainerResourceName } from './core-resourcenames.js';
import { arr, child, clone, obj, type Obj } from './util.js';

const DEFAULT_CPU_UTILIZATION = 80;
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW = 3600;
/** Metric type → the member holding its source. */
const SOURCE_FIELD: Record<string, string> = {
  ContainerResource: 'containerResource',
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
};
const METRIC_TYPES = Object.keys(SOURCE_FIELD);

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

const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];

/** A metric target; a missing one is checked as an empty one, as upstream's (a struct, never nil). */
function validateTarget(target: unknown, path: string): FieldError[] {
  const t = obj(target) ?? {};
  const errs: FieldError[] = [];
  if (!t.type) errs.push(fieldErr.required(`${path}.type`, 'must specify a metric target type'));
  if (!TARGET_TYPES.includes(t.type as string)) {
    errs.push(
      fieldErr.invalid(`${path}.type`, t.type ?? '', 'must be either Utilization, Value, or AverageValue'),
    );
  }
  for (const k of ['value', 'averageValue']) {
    if (t[k] == null) continue;
    const q = tryParseQuantity(t[k]);
    if ('error' in q) errs.push(fieldErr.invalid(`${path}.${k}`, t[k], q.error));
    else if (q.quantity.nanos <= 0n) errs.push(fieldErr.invalid(`${path}.${k}`, t[k], 'must be positive'));
  }
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    errs.push(fieldErr.invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetricIdentifier(metric: unknown, path: string): FieldError[] {
  const name = obj(metric)?.name;
  if (typeof name !== 'string' || name === '') {
    return [fieldErr.required(`${path}.name`, 'must specify a metric name')];
  }
  return validatePathSegmentName(name, false).map((m) => fieldErr.invalid(`${path}.name`, name, m));
}

/** Resource and ContainerResource targets: a utilization or an average value, not both. */
function validateResourceTarget(target: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.averageUtilization == null && target.averageValue == null) {
    errs.push(
      fieldErr.required(
        `${path}.averageUtilization`,
        'must set either a target raw value or a target utilization',
      ),
    );
  }
  if (target.averageUtilization != null && target.averageValue != null) {
    errs.push(
      fieldErr.forbidden(
        `${path}.averageValue`,
        'may not set both a target raw value and a target utilization',
      ),
    );
  }
  return errs;
}

type SourceValidator = (src: Obj, path: string) => FieldError[];

const SOURCE_VALIDATORS: Record<string, SourceValidator> = {
  object: (src, p) => {
    const target = obj(src.target) ?? {};
    const errs = [
      ...validateCrossVersionObjectReference(obj(src.describedObject) ?? {}, `${p}.describedObject`),
      ...validateMetricIdentifier(src.metric, `${p}.metric`),
      ...validateTarget(src.target, `${p}.target`),
    ];
    if (target.value == null && target.averageValue == null) {
      errs.push(
        fieldErr.required(`${p}.target.averageValue`, 'must set either a target value or averageValue'),
      );
    }
    return errs;
  },
  external: (src, p) => {
    const target = obj(src.target) ?? {};
    const errs = [
      ...validateMetricIdentifier(src.metric, `${p}.metric`),
      ...validateTarget(src.target, `${p}.target`),
    ];
    if (target.value == null && target.averageValue == null) {
      errs.push(
        fieldErr.required(
          `${p}.target.averageValue`,
          'must set either a target value for metric or a per-pod target',
        ),
      );
    }
    if (target.value != null && target.averageValue != null) {
      errs.push(
        fieldErr.forbidden(
          `${p}.target.value`,
          'may not set both a target value for metric and a per-pod target',
        ),
      );
    }
    return errs;
  },
  pods: (src, p) => {
    const errs = [
      ...validateMetricIdentifier(src.metric, `${p}.metric`),
      ...validateTarget(src.target, `${p}.target`),
    ];
    if (obj(src.target)?.averageValue == null) {
      errs.push(fieldErr.required(`${p}.target.averageValue`, 'must specify a positive target averageValue'));
    }
    return errs;
  },
  resource: (src, p) => [
    ...(src.name ? [] : [fieldErr.required(`${p}.name`, 'must specify a resource name')]),
    ...validateTarget(src.target, `${p}.target`),
    ...validateResourceTarget(obj(src.target) ?? {}, `${p}.target`),
  ],
  containerResource: (src, p) => [
    ...(typeof src.name === 'string' && src.name !== ''
      ? validateContainerResourceName(src.name, `${p}.name`)
      : [fieldErr.required(`${p}.name`, 'must specify a resource name')]),
    ...(typeof src.container === 'string' && src.container !== ''
      ? validateDNSLabel(src.container, `${p}.container`)
      : [fieldErr.required(`${p}.container`, 'must specify a container')]),
    ...validateTarget(src.target, `${p}.target`),
    ...validateResourceTarget(obj(src.target) ?? {}, `${p}.target`),
  ],
};

/** Upstream checks only the first source present, in SOURCE_VALIDATORS' order, whatever the type names. */
const SOURCE_ORDER = Object.keys(SOURCE_VALIDATORS);

function validateMetric(m: unknown, path: string): FieldError[] {
  const metric = obj(m) ?? {};
  const type = metric.type;
  const errs: FieldError[] = [];
  if (!type) errs.push(fieldErr.required(`${path}.type`, 'must specify a metric source type'));
  const expected =
    typeof type === 'string' && Object.hasOwn(SOURCE_FIELD, type) ? SOURCE_FIELD[type] : undefined;
  if (!expected) errs.push(fieldErr.notSupported(`${path}.type`, type ?? '', METRIC_TYPES));
  const present = SOURCE_ORDER.filter((f) => metric[f] != null);
  const first = present[0];
  if (first) errs.push(...SOURCE_VALIDATORS[first]!(obj(metric[first]) ?? {}, `${path}.${first}`));
  if (expected && metric[expected] == null) {
    errs.push(
      fieldErr.required(`${path}.${expected}`, 'must populate information for the given metric source'),
    );
  }
  if (present.length !== 1) {
    for (const f of present) {
      if (f !== expected)
        errs.push(fieldErr.forbidden(`${path}.${f}`, 'must populate the given metric source only'));
    }
  }
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
