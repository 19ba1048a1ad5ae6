import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { decodeProtobufObject, encodeProtobufObject, PROTOBUF_MAGIC } from './index.js';
import { lookupType } from './schema.js';
import { formatGoDuration, parseGoDuration } from './special.js';

function roundTrip(obj: KubeObject): KubeObject {
  const bytes = encodeProtobufObject(obj);
  assert.ok(bytes.subarray(0, 4).equals(PROTOBUF_MAGIC));
  return decodeProtobufObject(bytes);
}

const container = {
  name: 'app',
  image: 'registry.example.com/app:1.2.3',
  command: ['/bin/app'],
  args: ['--port=8080', '--verbose'],
  workingDir: '/srv',
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', hostPort: 9090, containerPort: 9090, protocol: 'UDP', hostIP: '127.0.0.1' },
  ],
  envFrom: [
    { prefix: 'CFG_', configMapRef: { name: 'cfg', optional: true } },
    { secretRef: { name: 'sec' } },
  ],
  env: [
    { name: 'PLAIN', value: 'x' },
    { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    {
      name: 'MEM',
      valueFrom: { resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
    },
    { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: false } } },
    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
  ],
  resources: {
    limits: { cpu: '2', memory: '1Gi', 'nvidia.com/gpu': '1' },
    requests: { cpu: '250m', memory: '256Mi' },
    claims: [{ name: 'gpu', request: 'one' }],
  },
  resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
  volumeMounts: [
    { name: 'data', mountPath: '/data', subPath: 'app', mountPropagation: 'HostToContainer' },
    { name: 'secret', mountPath: '/etc/secret', readOnly: true, recursiveReadOnly: 'IfPossible' },
    { name: 'logs', mountPath: '/logs', subPathExpr: '$(POD)' },
  ],
  volumeDevices: [{ name: 'block', devicePath: '/dev/xvda' }],
  livenessProbe: {
    httpGet: {
      path: '/healthz',
      port: 8080,
      host: 'localhost',
      scheme: 'HTTPS',
      httpHeaders: [{ name: 'X-Probe', value: '1' }],
    },
    initialDelaySeconds: 3,
    timeoutSeconds: 2,
    periodSeconds: 5,
    successThreshold: 1,
    failureThreshold: 4,
    terminationGracePeriodSeconds: 0,
  },
  readinessProbe: { tcpSocket: { port: 'http', host: 'h' }, periodSeconds: 1 },
  startupProbe: { exec: { command: ['cat', '/ready'] }, failureThreshold: 30 },
  lifecycle: {
    postStart: { exec: { command: ['touch', '/started'] } },
    preStop: { sleep: { seconds: 5 } },
  },
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'FallbackToLogsOnError',
  imagePullPolicy: 'IfNotPresent',
  securityContext: {
    capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
    privileged: false,
    seLinuxOptions: { user: 'u', role: 'r', type: 't', level: 's0' },
    runAsUser: 0,
    runAsGroup: 3000,
    runAsNonRoot: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    procMount: 'Default',
    seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' },
    appArmorProfile: { type: 'RuntimeDefault' },
  },
  stdin: true,
  stdinOnce: true,
  tty: true,
};

const podSpec = {
  volumes: [
    { name: 'data', persistentVolumeClaim: { claimName: 'data-pvc', readOnly: true } },
    {
      name: 'secret',
      secret: { secretName: 'sec', items: [{ key: 'a', path: 'a', mode: 256 }], defaultMode: 0 },
    },
    { name: 'cfg', configMap: { name: 'cfg', optional: true } },
    { name: 'logs', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/exports', readOnly: true } },
    {
      name: 'dapi',
      downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
    },
    {
      name: 'proj',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { audience: 'vault', expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'cfg', items: [{ key: 'k', path: 'k' }] } },
          { secret: { name: 'sec', optional: false } },
          { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
    { name: 'csi', csi: { driver: 'csi.example.com', readOnly: true, volumeAttributes: { size: 'small' } } },
    {
      name: 'eph',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { type: 'scratch' } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'fast',
            resources: { requests: { storage: '1Gi' } },
          },
        },
      },
    },
    { name: 'img', image: { reference: 'registry.example.com/data:1', pullPolicy: 'IfNotPresent' } },
  ],
  initContainers: [
    { name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' },
  ],
  containers: [container],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 0,
  activeDeadlineSeconds: 600,
  dnsPolicy: 'None',
  nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' },
  serviceAccountName: 'runner',
  serviceAccount: 'runner',
  automountServiceAccountToken: false,
  nodeName: 'node-1',
  hostNetwork: true,
  hostPID: true,
  hostIPC: true,
  shareProcessNamespace: true,
  securityContext: {
    runAsUser: 1000,
    runAsGroup: 1000,
    runAsNonRoot: true,
    supplementalGroups: [4000, 5000],
    supplementalGroupsPolicy: 'Strict',
    fsGroup: 2000,
    sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: false },
  },
  imagePullSecrets: [{ name: 'regcred' }],
  hostname: 'web-0',
  subdomain: 'web',
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }],
            matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-9'] }],
          },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
      ],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { app: 'cache' } },
          topologyKey: 'kubernetes.io/hostname',
          namespaces: ['default'],
          namespaceSelector: {},
          matchLabelKeys: ['pod-template-hash'],
        },
      ],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
            topologyKey: 'topology.kubernetes.io/zone',
          },
        },
      ],
    },
  },
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
  ],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db', 'db.local'] }],
  priorityClassName: 'high',
  priority: 0,
  dnsConfig: {
    nameservers: ['1.1.1.1'],
    searches: ['svc.cluster.local'],
    options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
  },
  readinessGates: [{ conditionType: 'example.com/ready' }],
  runtimeClassName: 'runc',
  enableServiceLinks: false,
  preemptionPolicy: 'Never',
  overhead: { cpu: '100m' },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'web' } },
      minDomains: 2,
      nodeAffinityPolicy: 'Honor',
      nodeTaintsPolicy: 'Ignore',
      matchLabelKeys: ['pod-template-hash'],
    },
  ],
  setHostnameAsFQDN: false,
  os: { name: 'linux' },
  hostUsers: false,
  schedulingGates: [{ name: 'example.com/gate' }],
  resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'gpu-template' }],
  resources: { limits: { cpu: '4' } },
};

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'default',
    uid: '5b0e3c5e-1f43-4c1e-9d0a-6a3e4e0c2a11',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2025-01-02T03:04:05Z',
    deletionTimestamp: '2025-01-02T03:09:05Z',
    deletionGracePeriodSeconds: 0,
    labels: { app: 'web', 'pod-template-hash': 'abc' },
    annotations: { note: 'multi\nline' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: '0f0f0f0f-0000-4000-8000-000000000000',
        controller: true,
        blockOwnerDeletion: false,
      },
    ],
    finalizers: ['example.com/cleanup'],
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ],
  },
  spec: podSpec,
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-02T03:04:10Z' }],
    hostIP: '10.0.0.5',
    hostIPs: [{ ip: '10.0.0.5' }],
    podIP: '10.244.0.7',
    podIPs: [{ ip: '10.244.0.7' }],
    startTime: '2025-01-02T03:04:06Z',
    containerStatuses: [
      {
        name: 'app',
        state: { running: { startedAt: '2025-01-02T03:04:08Z' } },
        lastState: {
          terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2025-01-02T03:04:07Z' },
        },
        ready: true,
        restartCount: 0,
        image: 'registry.example.com/app:1.2.3',
        imageID: 'sha256:abc',
        containerID: 'containerd://123',
        started: false,
      },
    ],
    qosClass: 'Burstable',
  },
};

void describe('round trip through our own declarations', () => {
  void test('a Pod with a complex PodSpec comes back unchanged', () => {
    assert.deepStrictEqual(roundTrip(pod), pod);
  });

  void test('a Deployment with a pod template, strategy and status', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        minReadySeconds: 5,
        revisionHistoryLimit: 0,
        paused: true,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 1,
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastUpdateTime: '2025-01-02T03:04:05Z',
            lastTransitionTime: '2025-01-02T03:04:05Z',
            reason: 'MinimumReplicasAvailable',
            message: 'ok',
          },
        ],
        collisionCount: 0,
      },
    };
    assert.deepStrictEqual(roundTrip(deployment), deployment);
  });

  void test('StatefulSet, DaemonSet, CronJob and HPA v2', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'db', image: 'pg' }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
            },
          ],
          serviceName: 'db',
          podManagementPolicy: 'Parallel',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
          ordinals: { start: 5 },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { spec: { containers: [{ name: 'agent', image: 'agent' }] } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
        },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly' },
        spec: {
          schedule: '0 3 * * *',
          timeZone: 'Etc/UTC',
          startingDeadlineSeconds: 0,
          concurrencyPolicy: 'Forbid',
          suspend: false,
          successfulJobsHistoryLimit: 0,
          jobTemplate: {
            spec: {
              completions: 5,
              parallelism: 2,
              completionMode: 'Indexed',
              backoffLimitPerIndex: 1,
              podFailurePolicy: {
                rules: [
                  { action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } },
                  { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
                ],
              },
              successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
              template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
            },
          },
        },
        status: { lastScheduleTime: '2025-01-02T03:00:00Z' },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
            },
            {
              type: 'Pods',
              pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '100' } },
            },
          ],
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: 300,
              selectPolicy: 'Min',
              policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
            },
          },
        },
        status: { desiredReplicas: 0 },
      },
    ];
    for (const obj of objects) assert.deepStrictEqual(roundTrip(obj), obj, `${obj.kind}`);
  });

  void test('bytes, RawExtension, MicroTime, IntOrString and ExtraValue', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': Buffer.from([0, 1, 2, 250, 255]).toString('base64'), empty: '' },
        immutable: true,
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        binaryData: { b: 'AAEC' },
        data: { a: '' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { name: 'web-abc' },
        data: { spec: { template: { spec: { containers: [{ name: 'a', image: 'b' }] } } } },
        revision: 0,
      },
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'leader' },
        spec: {
          holderIdentity: 'node-1',
          leaseDurationSeconds: 15,
          acquireTime: '2025-01-02T03:04:05.123456Z',
          renewTime: '2025-01-02T03:04:06.000001Z',
          leaseTransitions: 0,
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'np' },
        spec: {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { namespaceSelector: {} }],
              ports: [
                { protocol: 'TCP', port: 5432 },
                { port: 'metrics', endPort: 9100 },
              ],
            },
          ],
          policyTypes: ['Ingress', 'Egress'],
        },
      },
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'alice',
          groups: ['devs'],
          uid: 'u1',
          extra: { scopes: ['a', 'b'], empty: [] },
          resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' },
        },
        status: { allowed: true, reason: 'rbac' },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abc' },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: ['10.244.0.7'],
            conditions: { ready: false, serving: true, terminating: false },
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default' },
            hints: { forZones: [{ name: 'a' }] },
          },
        ],
        ports: [{ name: '', port: 80, protocol: 'TCP' }],
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-0.1' },
        involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default' },
        reason: 'Started',
        message: 'Started container',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: '2025-01-02T03:04:05Z',
        lastTimestamp: '2025-01-02T03:04:05Z',
        count: 2,
        type: 'Normal',
        eventTime: '2025-01-02T03:04:05.000000Z',
        reportingComponent: 'kubelet',
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'ing' },
        spec: {
          ingressClassName: 'nginx',
          defaultBackend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'static' } },
          tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
          rules: [
            {
              host: 'a.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    ];
    for (const obj of objects) assert.deepStrictEqual(roundTrip(obj), obj, `${obj.kind}`);
  });

  void test('a RawExtension that holds a protobuf object is decoded too', () => {
    const inner = encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const revision = lookupType('apps.ControllerRevision');
    const raw = revision
      .encode(revision.fromObject({ metadata: { name: 'r' }, data: { raw: inner } }))
      .finish();
    const unknown = lookupType('meta.Unknown');
    const envelope = unknown.fromObject({
      typeMeta: { apiVersion: 'apps/v1', kind: 'ControllerRevision' },
      raw,
    });
    const body = Buffer.concat([PROTOBUF_MAGIC, unknown.encode(envelope).finish()]);
    assert.deepStrictEqual(decodeProtobufObject(body), {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'r' },
      data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    });
  });

  void test('Go duration formatting', () => {
    assert.equal(formatGoDuration(0), '0s');
    assert.equal(formatGoDuration(3600e9), '1h0m0s');
    assert.equal(formatGoDuration(90e9), '1m30s');
    assert.equal(formatGoDuration(1.5e9), '1.5s');
    assert.equal(formatGoDuration(300e6), '300ms');
    assert.equal(parseGoDuration('1h0m0s'), 3600e9);
    assert.equal(parseGoDuration('1.5s'), 1.5e9);
    assert.equal(parseGoDuration('300ms'), 300e6);
  });
});
