/** RoleBinding and ClusterRoleBinding (rbac.authorization.k8s.io/v1): roleRef (immutable) and subjects. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isDNS1123Subdomain, validatePathSegmentName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { list, rec, sameJSON, str, type Obj } from './core-common.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

function defaultBinding(obj: KubeObject): void {
  const ref = rec(obj.roleRef);
  if (ref && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const item of list(obj.subjects)) {
    const s = rec(item);
    if (s && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export function validateSubject(subject: unknown, namespaced: boolean, path: string): FieldError[] {
  const s = rec(subject) ?? {};
  const errs: FieldError[] = [];
  const name = str(s.name);
  const apiGroup = str(s.apiGroup);
  if (name === '') errs.push(fieldErr.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name !== '')
        for (const m of isDNS1123Subdomain(name)) errs.push(fieldErr.invalid(`${path}.name`, name, m));
      if (apiGroup !== '') errs.push(fieldErr.notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && str(s.namespace) === '') errs.push(fieldErr.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (name === '') {
        errs.push(
          fieldErr.invalid(
            `${path}.name`,
            name,
            `${s.kind === 'User' ? 'user' : 'group'} name cannot be empty`,
          ),
        );
      }
      if (apiGroup !== RBAC_GROUP)
        errs.push(fieldErr.notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErr.notSupported(`${path}.kind`, s.kind ?? '', SUBJECT_KINDS));
  }
  return errs;
}

function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const ref: Obj = rec(obj.roleRef) ?? {};
  const errs: FieldError[] = [];
  const apiGroup = str(ref.apiGroup);
  if (apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(fieldErr.notSupported('roleRef.kind', str(ref.kind), kinds));
  const name = str(ref.name);
  if (name === '') errs.push(fieldErr.required('roleRef.name'));
  else
    for (const m of validatePathSegmentName(name, false))
      errs.push(fieldErr.invalid('roleRef.name', name, m));
  list(obj.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

/** Go's %#v of an rbac.RoleRef, as in upstream's `cannot change roleRef` message. */
function roleRefText(ref: Obj): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(str(ref.apiGroup))}, Kind:${JSON.stringify(str(ref.kind))}, Name:${JSON.stringify(str(ref.name))}}`;
}

function validateRoleRefUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const ref = rec(obj.roleRef) ?? {};
  const oldRef = rec(old.roleRef) ?? {};
  const pick = (r: Obj): string[] => [str(r.apiGroup), str(r.kind), str(r.name)];
  if (sameJSON(pick(ref), pick(oldRef))) return [];
  return [
    {
      type: 'FieldValueInvalid',
      field: 'roleRef',
      message: `Invalid value: ${roleRefText(ref)}: cannot change roleRef`,
    },
  ];
}

export const roleBindingStrategy: Strategy = {
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, true),
  validateUpdate: validateRoleRefUpdate,
};

export const clusterRoleBindingStrategy: Strategy = {
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, false),
  validateUpdate: validateRoleRefUpdate,
};
