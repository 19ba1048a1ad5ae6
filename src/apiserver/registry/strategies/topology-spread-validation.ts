/**
 * PodSpec `topologySpreadConstraints` validation as pkg/apis/core/validation's
 * validateTopologySpreadConstraints (Kubernetes 1.32), with upstream's field paths and messages.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { IN_BOTH_KEYS_AND_SELECTOR, LABEL_KEYS_NEED_SELECTOR } from './affinity-validation.js';
import { str, validateQualifiedName } from './core-common.js';
import { arr, obj, type Obj } from './util.js';

const NOT_POSITIVE = 'must be greater than zero';
/** sets.List order, as upstream lists the supported values. */
const SCHEDULE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];
const NODE_INCLUSION_POLICIES = ['Honor', 'Ignore'];

/** validateMinDomains: only with DoNotSchedule, and positive. */
function validateMinDomains(minDomains: unknown, action: string, path: string): FieldError[] {
  if (minDomains === undefined || minDomains === null) return [];
  const errs: FieldError[] = [];
  if (typeof minDomains !== 'number' || minDomains <= 0)
    errs.push(fieldErr.invalid(path, minDomains, NOT_POSITIVE));
  if (action !== 'DoNotSchedule') {
    errs.push(
      fieldErr.invalid(
        path,
        minDomains,
        `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
      ),
    );
  }
  return errs;
}

/** validateNodeInclusionPolicy (nodeAffinityPolicy, nodeTaintsPolicy): unset or Honor / Ignore. */
function validateNodeInclusionPolicy(policy: unknown, path: string): FieldError[] {
  if (policy === undefined || policy === null || NODE_INCLUSION_POLICIES.includes(str(policy))) return [];
  return [fieldErr.notSupported(path, policy, NODE_INCLUSION_POLICIES)];
}

/** validateMatchLabelKeysInTopologySpread: label names, beside a labelSelector that does not name them. */
function validateMatchLabelKeys(keys: unknown[], selector: Obj | undefined, path: string): FieldError[] {
  if (keys.length === 0) return [];
  const errs: FieldError[] = [];
  const selectorKeys = new Set<string>();
  if (selector) {
    for (const k of Object.keys(obj(selector.matchLabels) ?? {})) selectorKeys.add(k);
    for (const e of arr(selector.matchExpressions)) selectorKeys.add(str(obj(e)?.key));
  } else {
    errs.push(fieldErr.forbidden(path, LABEL_KEYS_NEED_SELECTOR));
  }
  keys.forEach((k, i) => {
    const key = str(k);
    errs.push(...validateQualifiedName(key, `${path}[${i}]`));
    if (selectorKeys.has(key)) errs.push(fieldErr.invalid(`${path}[${i}]`, key, IN_BOTH_KEYS_AND_SELECTOR));
  });
  return errs;
}

/** validateTopologySpreadConstraints: `path` is the list's path, e.g. `spec.topologySpreadConstraints`. */
export function validateTopologySpreadConstraints(constraints: unknown, path: string): FieldError[] {
  const list = arr(constraints);
  if (list.length === 0) return [];
  const all = list.map((c) => obj(c) ?? {});
  const errs: FieldError[] = [];
  all.forEach((c, i) => {
    const p = `${path}[${i}]`;
    const maxSkew = typeof c.maxSkew === 'number' ? c.maxSkew : 0;
    if (maxSkew <= 0) errs.push(fieldErr.invalid(`${p}.maxSkew`, maxSkew, NOT_POSITIVE));
    const topologyKey = str(c.topologyKey);
    if (topologyKey === '') errs.push(fieldErr.required(`${p}.topologyKey`, 'can not be empty'));
    const action = str(c.whenUnsatisfiable);
    if (!SCHEDULE_ACTIONS.includes(action))
      errs.push(fieldErr.notSupported(`${p}.whenUnsatisfiable`, action, SCHEDULE_ACTIONS));
    // {topologyKey, whenUnsatisfiable} names one kind of constraint; the first of a repeated pair is reported.
    const repeated = all
      .slice(i + 1)
      .some((o) => str(o.topologyKey) === topologyKey && str(o.whenUnsatisfiable) === action);
    if (repeated) {
      errs.push(fieldErr.duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${topologyKey}, ${action}}`));
    }
    errs.push(...validateMinDomains(c.minDomains, action, `${p}.minDomains`));
    errs.push(...validateNodeInclusionPolicy(c.nodeAffinityPolicy, `${p}.nodeAffinityPolicy`));
    errs.push(...validateNodeInclusionPolicy(c.nodeTaintsPolicy, `${p}.nodeTaintsPolicy`));
    errs.push(...validateMatchLabelKeys(arr(c.matchLabelKeys), obj(c.labelSelector), `${p}.matchLabelKeys`));
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}
