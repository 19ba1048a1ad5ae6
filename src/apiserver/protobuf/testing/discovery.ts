/** Just enough discovery (aggregated v2 for /api and /apis, legacy for /api/v1) for kubectl's generators. */
interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources?: { subresource: string; kind: string; group?: string; version?: string }[];
}

const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    subresources: [{ subresource: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io' }],
  },
  { group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    subresources: [{ subresource: 'scale', kind: 'Scale', group: 'autoscaling' }],
  },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
  {
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    namespaced: true,
  },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'rolebindings',
    kind: 'RoleBinding',
    namespaced: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: false,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
  },
];

export const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function discoveryResource(r: ResourceDef): Record<string, unknown> {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.kind.toLowerCase(),
    verbs: VERBS,
    subresources: (r.subresources ?? []).map((s) => ({
      subresource: s.subresource,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: ['create', 'get', 'patch', 'update'],
    })),
  };
}

export function aggregated(core: boolean): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.filter((r) => (r.group === '') === core).map((r) => r.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: core ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          freshness: 'Current',
          resources: RESOURCES.filter((r) => r.group === g).map(discoveryResource),
        },
      ],
    })),
  };
}

export function legacyCoreV1(): Record<string, unknown> {
  const resources = RESOURCES.filter((r) => r.group === '').flatMap((r) => [
    {
      name: r.resource,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
    },
    ...(r.subresources ?? []).map((s) => ({
      name: `${r.resource}/${s.subresource}`,
      singularName: '',
      namespaced: r.namespaced,
      group: s.group ?? '',
      version: s.version ?? 'v1',
      kind: s.kind,
      verbs: ['create', 'get', 'patch', 'update'],
    })),
  ]);
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}
