/** Valid manifests of many kinds: the starting points of every mutation. */

export interface FuzzKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  subresources: string[];
  /** A fresh valid object named `name`. */
  make(name: string): Record<string, unknown>;
}

const podSpec = (name: string) => ({
  containers: [
    {
      name: 'c',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'A', value: name }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
    },
  ],
  restartPolicy: 'Always',
});

const template = (name: string, restartPolicy = 'Always') => ({
  metadata: { labels: { app: name } },
  spec: { ...podSpec(name), restartPolicy },
});

const AR = 'admissionregistration.k8s.io';

/**
 * A webhook that never runs, whatever a mutation makes of its rules: no rules, a match condition that is
 * always false, a closed local port and failures ignored.
 */
const inertWebhook = (name: string) => ({
  name: `${name}.fuzz.example.com`,
  clientConfig: { url: 'https://127.0.0.1:1/' },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  failurePolicy: 'Ignore',
  timeoutSeconds: 1,
  matchConditions: [{ name: 'never', expression: 'false' }],
});

/**
 * A policy that never refuses, whatever a mutation makes of it: a match condition that is always false, a
 * validation that always holds, failures ignored (and its bindings only audit).
 */
const inertPolicy = () => ({
  spec: {
    failurePolicy: 'Ignore',
    matchConstraints: {
      resourceRules: [
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
      ],
    },
    matchConditions: [{ name: 'never', expression: 'false' }],
    validations: [{ expression: 'true' }],
  },
});

const meta = (name: string) => ({ name, labels: { app: name, tier: 'fuzz' }, annotations: { note: 'x' } });

function k(
  kind: string,
  group: string,
  version: string,
  plural: string,
  namespaced: boolean,
  subresources: string[],
  body: (name: string) => Record<string, unknown>,
): FuzzKind {
  const apiVersion = group ? `${group}/${version}` : version;
  return {
    kind,
    group,
    version,
    plural,
    namespaced,
    subresources,
    make: (name) => ({ apiVersion, kind, metadata: meta(name), ...body(name) }),
  };
}

export const FUZZ_KINDS: FuzzKind[] = [
  k('Pod', '', 'v1', 'pods', true, ['status'], (n) => ({ spec: podSpec(n) })),
  k('ConfigMap', '', 'v1', 'configmaps', true, [], () => ({ data: { a: '1', 'b.txt': 'hello' } })),
  k('Secret', '', 'v1', 'secrets', true, [], () => ({
    type: 'Opaque',
    data: { a: 'MQ==' },
    stringData: { b: 'two' },
  })),
  k('Service', '', 'v1', 'services', true, ['status'], (n) => ({
    spec: {
      type: 'ClusterIP',
      selector: { app: n },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  })),
  k('Namespace', '', 'v1', 'namespaces', false, ['status'], () => ({})),
  k('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', true, ['status'], () => ({
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  })),
  k('ServiceAccount', '', 'v1', 'serviceaccounts', true, [], () => ({})),
  k('Event', '', 'v1', 'events', true, [], (n) => ({
    involvedObject: { kind: 'Pod', name: n, namespace: 'default', uid: 'u-1' },
    reason: 'Fuzzed',
    message: 'an event',
    type: 'Normal',
    count: 1,
    firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:00:00Z',
    source: { component: 'fuzz' },
  })),
  k('Event', 'events.k8s.io', 'v1', 'events', true, [], (n) => ({
    eventTime: '2024-01-01T00:00:00.000000Z',
    reportingController: 'fuzz.example.com/c',
    reportingInstance: 'i-1',
    action: 'Test',
    reason: 'Fuzzed',
    regarding: { kind: 'Pod', name: n, namespace: 'default' },
    note: 'an event',
    type: 'Normal',
  })),
  k('Deployment', 'apps', 'v1', 'deployments', true, ['status', 'scale'], (n) => ({
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: n } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: template(n),
    },
  })),
  k('ReplicaSet', 'apps', 'v1', 'replicasets', true, ['status', 'scale'], (n) => ({
    spec: { replicas: 1, selector: { matchLabels: { app: n } }, template: template(n) },
  })),
  k('StatefulSet', 'apps', 'v1', 'statefulsets', true, ['status', 'scale'], (n) => ({
    spec: {
      replicas: 1,
      serviceName: n,
      selector: { matchLabels: { app: n } },
      template: template(n),
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  })),
  k('DaemonSet', 'apps', 'v1', 'daemonsets', true, ['status'], (n) => ({
    spec: { selector: { matchLabels: { app: n } }, template: template(n) },
  })),
  k('Job', 'batch', 'v1', 'jobs', true, ['status'], (n) => ({
    spec: { backoffLimit: 2, completions: 1, parallelism: 1, template: template(n, 'Never') },
  })),
  k('CronJob', 'batch', 'v1', 'cronjobs', true, ['status'], (n) => ({
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { template: template(n, 'OnFailure') } },
    },
  })),
  k('Ingress', 'networking.k8s.io', 'v1', 'ingresses', true, ['status'], (n) => ({
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'fuzz.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: n, port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  })),
  k('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true, [], (n) => ({
    spec: {
      podSelector: { matchLabels: { app: n } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'fe' } } }], ports: [{ port: 80 }] }],
    },
  })),
  k('HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers', true, ['status'], (n) => ({
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    },
  })),
  k('HorizontalPodAutoscaler', 'autoscaling', 'v1', 'horizontalpodautoscalers', true, ['status'], (n) => ({
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n },
      minReplicas: 1,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 60,
    },
  })),
  k('PodDisruptionBudget', 'policy', 'v1', 'poddisruptionbudgets', true, ['status'], (n) => ({
    spec: { minAvailable: 1, selector: { matchLabels: { app: n } } },
  })),
  k('Role', 'rbac.authorization.k8s.io', 'v1', 'roles', true, [], () => ({
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  })),
  k('RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings', true, [], (n) => ({
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  })),
  k('ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false, [], () => ({
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }],
  })),
  k('Lease', 'coordination.k8s.io', 'v1', 'leases', true, [], () => ({
    spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: '2024-01-01T00:00:00.000000Z' },
  })),
  k('StorageClass', 'storage.k8s.io', 'v1', 'storageclasses', false, [], () => ({
    provisioner: 'example.com/fuzz',
    reclaimPolicy: 'Delete',
  })),
  k('PriorityClass', 'scheduling.k8s.io', 'v1', 'priorityclasses', false, [], () => ({ value: 1000 })),
  k('ValidatingWebhookConfiguration', AR, 'v1', 'validatingwebhookconfigurations', false, [], (n) => ({
    webhooks: [inertWebhook(n)],
  })),
  k('MutatingWebhookConfiguration', AR, 'v1', 'mutatingwebhookconfigurations', false, [], (n) => ({
    webhooks: [{ ...inertWebhook(n), reinvocationPolicy: 'IfNeeded' }],
  })),
  k('ValidatingAdmissionPolicy', AR, 'v1', 'validatingadmissionpolicies', false, ['status'], inertPolicy),
  k('ValidatingAdmissionPolicyBinding', AR, 'v1', 'validatingadmissionpolicybindings', false, [], (n) => ({
    // Bound to a policy of its own name, if the fuzzer makes one: failures are only audited.
    spec: { policyName: n, validationActions: ['Audit'] },
  })),
  k('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true, [], () => ({
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  })),
];

/** Percent-encodes a path segment; lone surrogates (which encodeURIComponent rejects) go out as their UTF-8 replacement. */
export function pathSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

export function collectionPath(k: FuzzKind, namespace: string | undefined): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return k.namespaced && namespace !== undefined
    ? `${base}/namespaces/${pathSegment(namespace)}/${k.plural}`
    : `${base}/${k.plural}`;
}

export function objectPath(k: FuzzKind, namespace: string | undefined, name: string, sub?: string): string {
  return `${collectionPath(k, namespace)}/${pathSegment(name)}${sub ? `/${sub}` : ''}`;
}
