import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { decodeProtobufObject, encodeProtobufObject, PROTOBUF_MAGIC } from './index.js';
import { lookupType } from './schema.js';
import { formatGoDuration, parseGoDuration } from './special.js';
import { SAMPLE_POD_SPEC as podSpec } from './testing/sample-pod-spec.js';

function roundTrip(obj: KubeObject): KubeObject {
  const bytes = encodeProtobufObject(obj);
  assert.ok(bytes.subarray(0, 4).equals(PROTOBUF_MAGIC));
  return decodeProtobufObject(bytes);
}

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

  void test('DeleteOptions under any served group-version', () => {
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
      const opts: KubeObject = {
        apiVersion,
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: 'u-1', resourceVersion: '7' },
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      };
      assert.deepStrictEqual(roundTrip(opts), opts);
    }
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
