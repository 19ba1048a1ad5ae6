import { isPlainObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { age, ageColumn, arr, col, nameColumn, rec, str } from './format.js';

/** Validating and mutating webhook configurations: how many webhooks each holds. */
export const webhookConfigurationTable: TableConvertor = {
  columns: [
    nameColumn,
    col(
      'Webhooks',
      'Webhooks indicates the number of webhooks registered in this configuration',
      0,
      'integer',
    ),
    ageColumn,
  ],
  cells: (config, now) => [config.metadata?.name ?? '', arr(config.webhooks).length, age(config, now)],
};

/** Go's generated String() of a metav1.LabelSelector (gogo protobuf), as upstream prints a selector paramRef. */
export function goLabelSelectorString(selector: unknown): string {
  const sel = rec(selector);
  const labels = rec(sel.matchLabels);
  const matchLabels = Object.keys(labels)
    .sort()
    .map((k) => `${k}: ${str(labels[k])},`)
    .join('');
  const matchExpressions = arr(sel.matchExpressions)
    .map((e) => {
      const values = Array.isArray(e.values) ? (e.values as unknown[]).map((v) => str(v)).join(' ') : '';
      return `LabelSelectorRequirement{Key:${str(e.key)},Operator:${str(e.operator)},Values:[${values}],},`;
    })
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${matchLabels}},MatchExpressions:[]LabelSelectorRequirement{${matchExpressions}},}`;
}

/** Validating admission policies: how many validations, and the kind of their parameters. */
export const validatingAdmissionPolicyTable: TableConvertor = {
  columns: [
    nameColumn,
    col(
      'Validations',
      'Validations indicates the number of validation rules defined in this configuration',
      0,
      'integer',
    ),
    col('ParamKind', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageColumn,
  ],
  cells: (policy, now) => {
    const spec = rec(policy.spec);
    const paramKind = isPlainObject(spec.paramKind)
      ? `${str(spec.paramKind.apiVersion)}/${str(spec.paramKind.kind)}`
      : '<unset>';
    return [policy.metadata?.name ?? '', arr(spec.validations).length, paramKind, age(policy, now)];
  },
};

/** Bindings: their policy and where their parameters come from (`namespace/name`, `*` + `/name` without a namespace, or the selector). */
export const validatingAdmissionPolicyBindingTable: TableConvertor = {
  columns: [
    nameColumn,
    col('PolicyName', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn,
  ],
  cells: (binding, now) => {
    const spec = rec(binding.spec);
    let paramRef = '<unset>';
    if (isPlainObject(spec.paramRef)) {
      const ref = spec.paramRef;
      const name = str(ref.name);
      if (name !== '') paramRef = `${str(ref.namespace) || '*'}/${name}`;
      else if (isPlainObject(ref.selector)) paramRef = goLabelSelectorString(ref.selector);
    }
    return [binding.metadata?.name ?? '', str(spec.policyName), paramRef, age(binding, now)];
  },
};
