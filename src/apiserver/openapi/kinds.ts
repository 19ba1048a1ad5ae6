/** The kinds whose schemas are generated from the `kubernetes-types` package (group '' is core). */
export interface ServedKind {
  group: string;
  version: string;
  kind: string;
}

const gv = (group: string, version: string, kinds: string[]): ServedKind[] =>
  kinds.map((kind) => ({ group, version, kind }));

export const SERVED_KINDS: readonly ServedKind[] = [
  ...gv('', 'v1', [
    'Namespace',
    'Pod',
    'Node',
    'Service',
    'Endpoints',
    'ConfigMap',
    'Secret',
    'Event',
    'ServiceAccount',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'ReplicationController',
    'ResourceQuota',
    'LimitRange',
    'PodTemplate',
    'Binding',
  ]),
  ...gv('apps', 'v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']),
  ...gv('batch', 'v1', ['Job', 'CronJob']),
  ...gv('autoscaling', 'v1', ['HorizontalPodAutoscaler', 'Scale']),
  ...gv('autoscaling', 'v2', ['HorizontalPodAutoscaler']),
  ...gv('coordination.k8s.io', 'v1', ['Lease']),
  ...gv('discovery.k8s.io', 'v1', ['EndpointSlice']),
  ...gv('networking.k8s.io', 'v1', ['Ingress', 'IngressClass', 'NetworkPolicy']),
  ...gv('rbac.authorization.k8s.io', 'v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']),
  ...gv('storage.k8s.io', 'v1', ['StorageClass']),
  ...gv('certificates.k8s.io', 'v1', ['CertificateSigningRequest']),
  ...gv('admissionregistration.k8s.io', 'v1', [
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ]),
  ...gv('apiextensions.k8s.io', 'v1', ['CustomResourceDefinition']),
  ...gv('policy', 'v1', ['PodDisruptionBudget', 'Eviction']),
  ...gv('scheduling.k8s.io', 'v1', ['PriorityClass']),
  ...gv('node.k8s.io', 'v1', ['RuntimeClass']),
  ...gv('events.k8s.io', 'v1', ['Event']),
  ...gv('authentication.k8s.io', 'v1', ['SelfSubjectReview', 'TokenReview']),
  ...gv('authorization.k8s.io', 'v1', [
    'SelfSubjectAccessReview',
    'SelfSubjectRulesReview',
    'SubjectAccessReview',
    'LocalSubjectAccessReview',
  ]),
];

/** Upstream's Go package part of a schema name: `apps` → `apps`, `rbac.authorization.k8s.io` → `rbac`, '' → `core`. */
export function packageOfGroup(group: string): string {
  if (group === '') return 'core';
  return group.split('.')[0] ?? group;
}

/** Component schema name as upstream spells it, e.g. `io.k8s.api.apps.v1.Deployment`. */
export function schemaNameFor(k: ServedKind): string {
  if (k.group === 'apiextensions.k8s.io')
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${k.version}.${k.kind}`;
  return `io.k8s.api.${packageOfGroup(k.group)}.${k.version}.${k.kind}`;
}

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
