/**
 * Roles and RoleBindings upstream bootstraps into kube-system and kube-public
 * (bootstrappolicy/namespace_policy.go, v1.32). Leader election runs on Leases only, so the ConfigMap lock
 * rules of older releases are left out.
 */
import type { Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { CONTROLLER_ROLE_PREFIX } from './bootstrap-controller-roles.js';
import { eventsRule, RBAC_GROUP, READ, rule, serviceAccountSubject, userSubject } from './policy-rule.js';

const SYSTEM = 'kube-system';
const PUBLIC = 'kube-public';
const CONTROLLER_MANAGER = 'system:kube-controller-manager';
const SCHEDULER = 'system:kube-scheduler';

const role = (namespace: string, name: string, rules: Role['rules']): Role => ({
  metadata: { name, namespace },
  rules,
});

function binding(namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

/** A binding named after its Role, for service accounts of kube-system. */
const saBinding = (namespace: string, roleName: string, ...accounts: string[]): RoleBinding =>
  binding(
    namespace,
    roleName,
    roleName,
    accounts.map((a) => serviceAccountSubject(SYSTEM, a)),
  );

const leaderLocking = ['get', 'watch', 'list', 'create', 'update'];

export function defaultNamespacedRoles(): Role[] {
  return [
    // Finding the authentication configuration a delegating server starts with.
    role(SYSTEM, 'extension-apiserver-authentication-reader', [
      rule(READ, [''], ['configmaps'], ['extension-apiserver-authentication']),
    ]),
    role(SYSTEM, 'system::leader-locking-kube-controller-manager', [
      rule(leaderLocking, ['coordination.k8s.io'], ['leases']),
    ]),
    role(SYSTEM, 'system::leader-locking-kube-scheduler', [
      rule(leaderLocking, ['coordination.k8s.io'], ['leases']),
    ]),
    role(SYSTEM, CONTROLLER_ROLE_PREFIX + 'bootstrap-signer', [rule(READ, [''], ['secrets'])]),
    role(SYSTEM, CONTROLLER_ROLE_PREFIX + 'cloud-provider', [
      rule(['create', 'get', 'list', 'watch'], [''], ['configmaps']),
    ]),
    role(SYSTEM, CONTROLLER_ROLE_PREFIX + 'token-cleaner', [
      rule([...READ, 'delete'], [''], ['secrets']),
      eventsRule(),
    ]),
    role(PUBLIC, CONTROLLER_ROLE_PREFIX + 'bootstrap-signer', [
      rule(READ, [''], ['configmaps']),
      rule(['update'], [''], ['configmaps'], ['cluster-info']),
      eventsRule(),
    ]),
  ];
}

export function defaultNamespacedRoleBindings(): RoleBinding[] {
  return [
    binding(
      SYSTEM,
      'system::extension-apiserver-authentication-reader',
      'extension-apiserver-authentication-reader',
      [userSubject(CONTROLLER_MANAGER), userSubject(SCHEDULER)],
    ),
    binding(
      SYSTEM,
      'system::leader-locking-kube-controller-manager',
      'system::leader-locking-kube-controller-manager',
      [
        userSubject(CONTROLLER_MANAGER),
        serviceAccountSubject(SYSTEM, 'kube-controller-manager'),
        serviceAccountSubject(SYSTEM, 'leader-election-controller'),
      ],
    ),
    binding(SYSTEM, 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [
      userSubject(SCHEDULER),
      serviceAccountSubject(SYSTEM, 'kube-scheduler'),
    ]),
    saBinding(SYSTEM, CONTROLLER_ROLE_PREFIX + 'bootstrap-signer', 'bootstrap-signer'),
    saBinding(SYSTEM, CONTROLLER_ROLE_PREFIX + 'cloud-provider', 'cloud-provider'),
    saBinding(SYSTEM, CONTROLLER_ROLE_PREFIX + 'token-cleaner', 'token-cleaner'),
    saBinding(PUBLIC, CONTROLLER_ROLE_PREFIX + 'bootstrap-signer', 'bootstrap-signer'),
  ];
}
