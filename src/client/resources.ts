/** A served resource as the client addresses it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

const core = (resource: string, kind: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  namespaced,
});
const grouped = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced = true,
): ResourceType => ({
  group,
  version,
  resource,
  kind,
  namespaced,
});

/** The built-in resources the controllers, scheduler and agents use. */
export const R = {
  namespaces: core('namespaces', 'Namespace', false),
  nodes: core('nodes', 'Node', false),
  pods: core('pods', 'Pod'),
  services: core('services', 'Service'),
  endpoints: core('endpoints', 'Endpoints'),
  configMaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  events: core('events', 'Event'),
  serviceAccounts: core('serviceaccounts', 'ServiceAccount'),
  persistentVolumes: core('persistentvolumes', 'PersistentVolume', false),
  persistentVolumeClaims: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  replicationControllers: core('replicationcontrollers', 'ReplicationController'),
  resourceQuotas: core('resourcequotas', 'ResourceQuota'),
  limitRanges: core('limitranges', 'LimitRange'),
  deployments: grouped('apps', 'v1', 'deployments', 'Deployment'),
  replicaSets: grouped('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulSets: grouped('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonSets: grouped('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerRevisions: grouped('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: grouped('batch', 'v1', 'jobs', 'Job'),
  cronJobs: grouped('batch', 'v1', 'cronjobs', 'CronJob'),
  horizontalPodAutoscalers: grouped(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
  ),
  leases: grouped('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  endpointSlices: grouped('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  networkPolicies: grouped('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  ingresses: grouped('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  ingressClasses: grouped('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  podDisruptionBudgets: grouped('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  priorityClasses: grouped('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false),
  runtimeClasses: grouped('node.k8s.io', 'v1', 'runtimeclasses', 'RuntimeClass', false),
  storageClasses: grouped('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  certificateSigningRequests: grouped(
    'certificates.k8s.io',
    'v1',
    'certificatesigningrequests',
    'CertificateSigningRequest',
    false,
  ),
  clusterRoles: grouped('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  mutatingWebhookConfigurations: grouped(
    'admissionregistration.k8s.io',
    'v1',
    'mutatingwebhookconfigurations',
    'MutatingWebhookConfiguration',
    false,
  ),
  validatingWebhookConfigurations: grouped(
    'admissionregistration.k8s.io',
    'v1',
    'validatingwebhookconfigurations',
    'ValidatingWebhookConfiguration',
    false,
  ),
  validatingAdmissionPolicies: grouped(
    'admissionregistration.k8s.io',
    'v1',
    'validatingadmissionpolicies',
    'ValidatingAdmissionPolicy',
    false,
  ),
  validatingAdmissionPolicyBindings: grouped(
    'admissionregistration.k8s.io',
    'v1',
    'validatingadmissionpolicybindings',
    'ValidatingAdmissionPolicyBinding',
    false,
  ),
  customResourceDefinitions: grouped(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
  ),
} as const satisfies Record<string, ResourceType>;

export function apiVersionOf(r: ResourceType): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** `/api/v1/namespaces/ns/pods/name/status` and friends. */
export function resourcePath(
  r: ResourceType,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let path = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${r.resource}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}
