import type { SubresourceName, Verb } from './types.js';

/** Static facts about a served kind, as upstream publishes them in discovery. Behaviour lives in strategies. */
export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceName[];
  verbs?: Verb[];
  generationTracked?: boolean;
}

const CREATE_ONLY: Verb[] = ['create'];
const ALL = ['all'];

function kind(
  group: string,
  version: string,
  kindName: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<KindInfo> = {},
): KindInfo {
  return { group, version, kind: kindName, plural, singular: kindName.toLowerCase(), namespaced, ...extra };
}

export const CATALOG: KindInfo[] = [
  // core/v1
  kind('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ALL,
    subresources: [
      'status',
      'binding',
      'eviction',
      'log',
      'exec',
      'attach',
      'portforward',
      'proxy',
      'ephemeralcontainers',
    ],
  }),
  kind('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ALL,
    subresources: ['status', 'proxy'],
  }),
  kind('', 'v1', 'ReplicationController', 'replicationcontrollers', true, {
    shortNames: ['rc'],
    categories: ALL,
    subresources: ['scale', 'status'],
    generationTracked: true,
  }),
  kind('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
  }),
  kind('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  kind('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  kind('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  kind('', 'v1', 'Secret', 'secrets', true),
  kind('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  kind('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  kind('', 'v1', 'PersistentVolume', 'persistentvolumes', false, {
    shortNames: ['pv'],
    subresources: ['status'],
  }),
  kind('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  kind('', 'v1', 'ResourceQuota', 'resourcequotas', true, {
    shortNames: ['quota'],
    subresources: ['status'],
  }),
  kind('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  kind('', 'v1', 'PodTemplate', 'podtemplates', true),
  // apps/v1
  kind('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ALL,
    subresources: ['scale', 'status'],
    generationTracked: true,
  }),
  kind('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ALL,
    subresources: ['scale', 'status'],
    generationTracked: true,
  }),
  kind('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ALL,
    subresources: ['scale', 'status'],
    generationTracked: true,
  }),
  kind('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ALL,
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  // batch/v1
  kind('batch', 'v1', 'Job', 'jobs', true, {
    categories: ALL,
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('batch', 'v1', 'CronJob', 'cronjobs', true, {
    shortNames: ['cj'],
    categories: ALL,
    subresources: ['status'],
    generationTracked: true,
  }),
  // autoscaling/v2 (v1 and v2beta2 are served as converted aliases)
  kind('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ALL,
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  kind('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  kind('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, {
    shortNames: ['ing'],
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  kind('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, {
    shortNames: ['netpol'],
    generationTracked: true,
  }),
  kind('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  kind('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  kind('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  kind('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  kind('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  kind('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
    { categories: ['api-extensions'], generationTracked: true },
  ),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
    { categories: ['api-extensions'], generationTracked: true },
  ),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingAdmissionPolicy',
    'validatingadmissionpolicies',
    false,
    { categories: ['api-extensions'], subresources: ['status'], generationTracked: true },
  ),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingAdmissionPolicyBinding',
    'validatingadmissionpolicybindings',
    false,
    { categories: ['api-extensions'], generationTracked: true },
  ),
  kind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
    generationTracked: true,
  }),
  kind('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  kind('node.k8s.io', 'v1', 'RuntimeClass', 'runtimeclasses', false),
  // Review kinds: create-only, never stored.
  kind('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, {
    verbs: CREATE_ONLY,
  }),
  kind('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, { verbs: CREATE_ONLY }),
  kind('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, {
    verbs: CREATE_ONLY,
  }),
  kind('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, {
    verbs: CREATE_ONLY,
  }),
  kind('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, {
    verbs: CREATE_ONLY,
  }),
  kind('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, {
    verbs: CREATE_ONLY,
  }),
];
