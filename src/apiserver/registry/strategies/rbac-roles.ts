/** Role and ClusterRole (rbac.authorization.k8s.io/v1): policy rules and aggregation rules. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelSelector } from '../../../api/labels.js';
import type { Strategy } from '../types.js';
import { goStrings, invalidRaw, list, rec } from './core-common.js';

export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const r = rec(rule) ?? {};
  const errs: FieldError[] = [];
  if (list(r.verbs).length === 0)
    errs.push(fieldErr.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = list(r.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) {
      errs.push(
        invalidRaw(
          `${path}.nonResourceURLs`,
          goStrings(urls),
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    }
    if (list(r.apiGroups).length > 0 || list(r.resources).length > 0 || list(r.resourceNames).length > 0) {
      errs.push(
        invalidRaw(
          `${path}.nonResourceURLs`,
          goStrings(urls),
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errs;
  }
  if (list(r.apiGroups).length === 0) {
    errs.push(fieldErr.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  }
  if (list(r.resources).length === 0) {
    errs.push(fieldErr.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  }
  if (list(r.resourceNames).length > 0 && list(r.resources).length > 1) {
    errs.push(
      fieldErr.required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'),
    );
  }
  return errs;
}

function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  return list(obj.rules).flatMap((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`));
}

function validateClusterRole(obj: KubeObject): FieldError[] {
  const errs = validateRules(obj, false);
  const aggregation = obj.aggregationRule;
  if (aggregation !== undefined && aggregation !== null) {
    const selectors = list(rec(aggregation)?.clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(
        fieldErr.required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      );
    }
    selectors.forEach((s, i) =>
      errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)),
    );
  }
  return errs;
}

export const roleStrategy: Strategy = {
  validate: (obj) => validateRules(obj, true),
};

export const clusterRoleStrategy: Strategy = {
  validate: validateClusterRole,
};
