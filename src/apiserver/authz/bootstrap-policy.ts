/**
 * The default RBAC policy every cluster starts with, as upstream's bootstrappolicy package defines it: cluster
 * roles, their bindings, the controllers' roles and bindings, and the namespaced roles of kube-system and
 * kube-public. Every object carries the bootstrapping label and the autoupdate annotation, which the
 * reconciler (reconcile-policy.ts) honours.
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  Subject,
} from 'kubernetes-types/rbac/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { defaultClusterRoles } from './bootstrap-cluster-roles.js';
import { CONTROLLER_ROLE_PREFIX, defaultControllerRoles } from './bootstrap-controller-roles.js';
import { defaultNamespacedRoleBindings, defaultNamespacedRoles } from './bootstrap-namespace-policy.js';
import {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_LABEL,
  BOOTSTRAP_LABEL_VALUE,
  groupSubject,
  RBAC_GROUP,
  serviceAccountSubject,
  userSubject,
} from './policy-rule.js';

export interface BootstrapPolicy {
  clusterRoles: ClusterRole[];
  clusterRoleBindings: ClusterRoleBinding[];
  /** In kube-system and kube-public. */
  roles: Role[];
  roleBindings: RoleBinding[];
}

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

function clusterBinding(roleName: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    metadata: { name: roleName },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    ...(subjects.length > 0 ? { subjects } : {}),
  };
}

function defaultClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterBinding('cluster-admin', [groupSubject('system:masters')]),
    clusterBinding('system:monitoring', [groupSubject('system:monitoring')]),
    clusterBinding('system:discovery', [groupSubject('system:authenticated')]),
    clusterBinding('system:basic-user', [groupSubject('system:authenticated')]),
    clusterBinding('system:public-info-viewer', [
      groupSubject('system:authenticated'),
      groupSubject('system:unauthenticated'),
    ]),
    clusterBinding('system:node-proxier', [userSubject('system:kube-proxy')]),
    clusterBinding('system:kube-controller-manager', [userSubject('system:kube-controller-manager')]),
    clusterBinding('system:kube-dns', [serviceAccountSubject('kube-system', 'kube-dns')]),
    clusterBinding('system:kube-scheduler', [userSubject('system:kube-scheduler')]),
    clusterBinding('system:volume-scheduler', [userSubject('system:kube-scheduler')]),
    // Bound to no one: the Node authorizer grants nodes their access (kept, as upstream, for old clusters).
    clusterBinding('system:node', []),
    clusterBinding('system:service-account-issuer-discovery', [groupSubject('system:serviceaccounts')]),
  ];
}

/** Each controller role bound to its service account in kube-system. */
function controllerRoleBindings(roles: ClusterRole[]): ClusterRoleBinding[] {
  return roles.map((r) => {
    const name = r.metadata!.name!;
    return clusterBinding(name, [
      serviceAccountSubject('kube-system', name.slice(CONTROLLER_ROLE_PREFIX.length)),
    ]);
  });
}

function withDefaults<T extends { apiVersion?: string; kind?: string; metadata?: ObjectMeta }>(
  kind: string,
  obj: T,
): T {
  const meta = obj.metadata ?? {};
  return {
    ...obj,
    apiVersion: RBAC_API_VERSION,
    kind,
    metadata: {
      ...meta,
      labels: { ...meta.labels, [BOOTSTRAP_LABEL]: BOOTSTRAP_LABEL_VALUE },
      annotations: { ...meta.annotations, [AUTOUPDATE_ANNOTATION]: 'true' },
    },
  };
}

export function bootstrapPolicy(): BootstrapPolicy {
  const controllerRoles = defaultControllerRoles();
  return {
    clusterRoles: [...defaultClusterRoles(), ...controllerRoles].map((r) => withDefaults('ClusterRole', r)),
    clusterRoleBindings: [...defaultClusterRoleBindings(), ...controllerRoleBindings(controllerRoles)].map(
      (b) => withDefaults('ClusterRoleBinding', b),
    ),
    roles: defaultNamespacedRoles().map((r) => withDefaults('Role', r)),
    roleBindings: defaultNamespacedRoleBindings().map((b) => withDefaults('RoleBinding', b)),
  };
}
