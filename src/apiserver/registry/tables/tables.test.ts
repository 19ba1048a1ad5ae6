import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { defaultTable, tableConvertors } from './index.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const CREATED = '2026-01-01T09:00:00Z'; // 3h before NOW

function obj(
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown>,
  meta: Record<string, unknown> = {},
) {
  return {
    apiVersion,
    kind,
    metadata: { name: 'x', namespace: 'default', creationTimestamp: CREATED, ...meta },
    ...rest,
  } as KubeObject;
}

function cells(resource: string, o: KubeObject): unknown[] {
  const table = tableConvertors[resource];
  assert.ok(table, `no table for ${resource}`);
  const row = table.cells(o, NOW);
  assert.equal(row.length, table.columns.length, `${resource}: one cell per column`);
  return row;
}

const podSpec = {
  containers: [
    { name: 'web', image: 'nginx:1.27' },
    { name: 'log', image: 'busybox' },
  ],
};

void describe('every table', () => {
  void test('has one cell per column even for an empty object, and a Name column', () => {
    for (const [resource, table] of Object.entries(tableConvertors)) {
      const row = table.cells({ metadata: { name: 'n' } }, NOW);
      assert.equal(row.length, table.columns.length, resource);
      assert.ok(
        table.columns.some((c) => c.name === 'Name' && c.format === 'name'),
        `${resource} has a name column`,
      );
      for (const c of table.columns) assert.ok(c.description.length > 0, `${resource}.${c.name} described`);
    }
  });
  void test('default table: Name and Created At (date)', () => {
    assert.deepEqual(
      defaultTable.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
    assert.deepEqual(defaultTable.cells(obj('example.com/v1', 'Widget', {}), NOW), ['x', CREATED]);
  });
});

void describe('core', () => {
  void test('nodes: status, roles, version and wide info', () => {
    const node = obj(
      'v1',
      'Node',
      {
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [
            { type: 'Hostname', address: 'node-1' },
            { type: 'InternalIP', address: '192.168.1.10' },
          ],
          nodeInfo: { kubeletVersion: 'v1.32.5', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0' },
        },
      },
      {
        namespace: undefined,
        labels: {
          'node-role.kubernetes.io/control-plane': '',
          'kubernetes.io/role': 'worker',
          'kubernetes.io/os': 'linux',
        },
      },
    );
    assert.deepEqual(cells('nodes', node), [
      'x',
      'Ready,SchedulingDisabled',
      'control-plane,worker',
      '3h',
      'v1.32.5',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      '<unknown>',
    ]);
    const notReady = obj('v1', 'Node', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
    assert.deepEqual(cells('nodes', notReady).slice(1, 3), ['NotReady', '<none>']);
    assert.equal(cells('nodes', obj('v1', 'Node', {}))[1], 'Unknown');
  });

  void test('services: ports, cluster IP, external IPs', () => {
    const lb = obj('v1', 'Service', {
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.20',
        selector: { color: 'blue', type: 'webserver' },
        ports: [
          { port: 80, protocol: 'TCP', nodePort: 30080 },
          { port: 443, protocol: 'TCP', nodePort: 30443 },
        ],
      },
    });
    assert.deepEqual(cells('services', lb), [
      'x',
      'LoadBalancer',
      '10.96.0.20',
      '<pending>',
      '80:30080/TCP,443:30443/TCP',
      '3h',
      'color=blue,type=webserver',
    ]);
    const withIngress = structuredClone(lb);
    withIngress.status = {
      loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.test' }] },
    };
    assert.equal(cells('services', withIngress)[3], '203.0.113.9,lb.example.test');
    const headless = obj('v1', 'Service', {
      spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 53, protocol: 'UDP' }] },
    });
    assert.deepEqual(cells('services', headless).slice(1, 5), ['ClusterIP', 'None', '<none>', '53/UDP']);
    const dual = obj('v1', 'Service', {
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.9',
        clusterIPs: ['10.96.0.9', 'fd00::9'],
        externalIPs: ['198.51.100.1'],
      },
    });
    assert.deepEqual(cells('services', dual).slice(1, 5), [
      'NodePort',
      '10.96.0.9',
      '198.51.100.1',
      '<none>',
    ]);
    const ext = obj('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'db.example.test' } });
    assert.deepEqual(cells('services', ext).slice(2, 5), ['<none>', 'db.example.test', '<none>']);
  });

  void test('endpoints: at most three addresses then "+ N more..."', () => {
    const ep = obj('v1', 'Endpoints', {
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    });
    assert.equal(cells('endpoints', ep)[1], '10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...');
    assert.equal(cells('endpoints', obj('v1', 'Endpoints', {}))[1], '<none>');
    const headless = obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.9' }] }] });
    assert.equal(cells('endpoints', headless)[1], '10.0.0.9');
  });

  void test('configmaps, secrets, serviceaccounts, namespaces', () => {
    assert.deepEqual(
      cells('configmaps', obj('v1', 'ConfigMap', { data: { a: '1' }, binaryData: { b: 'AA==' } })),
      ['x', 2, '3h'],
    );
    assert.deepEqual(
      cells('secrets', obj('v1', 'Secret', { type: 'Opaque', data: { id: 'eA==', key: 'eQ==' } })),
      ['x', 'Opaque', 2, '3h'],
    );
    assert.deepEqual(cells('serviceaccounts', obj('v1', 'ServiceAccount', {})), ['x', 0, '3h']);
    assert.deepEqual(cells('namespaces', obj('v1', 'Namespace', { status: { phase: 'Active' } })), [
      'x',
      'Active',
      '3h',
    ]);
  });

  void test('core events: last seen, object, source and count', () => {
    const ev = obj('v1', 'Event', {
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled',
      message: 'Successfully pulled image "nginx"\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-01-01T11:00:00Z',
      lastTimestamp: '2026-01-01T11:55:00Z',
      count: 3,
      type: 'Normal',
    });
    assert.deepEqual(cells('events', ev), [
      '5m',
      'Normal',
      'Pulled',
      'pod/web-1',
      'spec.containers{web}',
      'kubelet, node-1',
      'Successfully pulled image "nginx"',
      '60m',
      3,
      'x',
    ]);
  });

  void test('events.k8s.io events: series, reporting controller, singleton count', () => {
    const ev = obj('events.k8s.io/v1', 'Event', {
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up replica set web-abc to 3',
      reportingController: 'deployment-controller',
      eventTime: '2026-01-01T11:50:00.000000Z',
      type: 'Normal',
    });
    assert.deepEqual(cells('events.events.k8s.io', ev), [
      '10m',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up replica set web-abc to 3',
      '10m',
      1,
      'x',
    ]);
    ev.series = { count: 7, lastObservedTime: '2026-01-01T11:59:00.000000Z' };
    const row = cells('events.events.k8s.io', ev);
    assert.equal(row[0], '60s');
    assert.equal(row[8], 7);
  });

  void test('resource quotas split requests and limits', () => {
    const rq = obj('v1', 'ResourceQuota', {
      status: {
        hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi', 'limits.cpu': '4' },
        used: { pods: '3', 'requests.cpu': '0.5', 'limits.cpu': '1000m' },
      },
    });
    assert.deepEqual(cells('resourcequotas', rq), [
      'x',
      'pods: 3/10, requests.cpu: 500m/2',
      'limits.cpu: 1/4, limits.memory: 0/2Gi',
      '3h',
    ]);
  });

  void test('limit ranges and roles print a Created At date', () => {
    assert.deepEqual(cells('limitranges', obj('v1', 'LimitRange', {})), ['x', CREATED]);
    assert.deepEqual(
      cells('roles.rbac.authorization.k8s.io', obj('rbac.authorization.k8s.io/v1', 'Role', {})),
      ['x', CREATED],
    );
  });

  void test('persistent volumes and claims', () => {
    const pv = obj('v1', 'PersistentVolume', {
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    });
    assert.deepEqual(cells('persistentvolumes', pv), [
      'x',
      '10Gi',
      'RWO,RWX',
      'Retain',
      'Bound',
      'default/data',
      'standard',
      '<unset>',
      '',
      '3h',
      'Filesystem',
    ]);
    const pvc = obj('v1', 'PersistentVolumeClaim', {
      spec: { volumeName: 'pv-1', storageClassName: 'standard', resources: { requests: { storage: '5Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    });
    assert.deepEqual(cells('persistentvolumeclaims', pvc), [
      'x',
      'Bound',
      'pv-1',
      '10Gi',
      'RWO',
      'standard',
      '<unset>',
      '3h',
      '<unset>',
    ]);
    const pending = obj('v1', 'PersistentVolumeClaim', { spec: {}, status: { phase: 'Pending' } });
    assert.deepEqual(cells('persistentvolumeclaims', pending).slice(1, 5), ['Pending', '', '', '']);
  });

  void test('replication controllers', () => {
    const rc = obj('v1', 'ReplicationController', {
      spec: { replicas: 3, selector: { app: 'web' }, template: { spec: podSpec } },
      status: { replicas: 3, readyReplicas: 2 },
    });
    assert.deepEqual(cells('replicationcontrollers', rc), [
      'x',
      3,
      3,
      2,
      '3h',
      'web,log',
      'nginx:1.27,busybox',
      'app=web',
    ]);
  });
});

void describe('apps', () => {
  void test('deployments: ready/desired, up-to-date, available, selector', () => {
    const dep = obj('apps/v1', 'Deployment', {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: podSpec } },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    assert.deepEqual(cells('deployments.apps', dep), [
      'x',
      '2/3',
      3,
      2,
      '3h',
      'web,log',
      'nginx:1.27,busybox',
      'app=web',
    ]);
    assert.deepEqual(
      tableConvertors['deployments.apps']?.columns.map((c) => c.name),
      ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    );
  });

  void test('replica sets, stateful sets, daemon sets', () => {
    const rs = obj('apps/v1', 'ReplicaSet', {
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: podSpec } },
      status: { replicas: 2, readyReplicas: 1 },
    });
    assert.deepEqual(cells('replicasets.apps', rs).slice(0, 5), ['x', 2, 2, 1, '3h']);
    const sts = obj('apps/v1', 'StatefulSet', {
      spec: { replicas: 3, template: { spec: podSpec } },
      status: { readyReplicas: 1 },
    });
    assert.deepEqual(cells('statefulsets.apps', sts), ['x', '1/3', '3h', 'web,log', 'nginx:1.27,busybox']);
    const ds = obj('apps/v1', 'DaemonSet', {
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { spec: { ...podSpec, nodeSelector: { 'kubernetes.io/os': 'linux' } } },
      },
      status: {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberReady: 1,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
      },
    });
    assert.deepEqual(cells('daemonsets.apps', ds), [
      'x',
      2,
      2,
      1,
      2,
      1,
      'kubernetes.io/os=linux',
      '3h',
      'web,log',
      'nginx:1.27,busybox',
      'app=agent',
    ]);
  });

  void test('controller revisions name their controller as kind.group/name', () => {
    const cr = obj(
      'apps/v1',
      'ControllerRevision',
      { revision: 2, data: {} },
      {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true },
        ],
      },
    );
    assert.deepEqual(cells('controllerrevisions.apps', cr), ['x', 'statefulset.apps/db', 2, '3h']);
    assert.equal(cells('controllerrevisions.apps', obj('apps/v1', 'ControllerRevision', {}))[1], '<none>');
  });
});

void describe('batch', () => {
  void test('jobs: status, completions and duration', () => {
    const running = obj('batch/v1', 'Job', {
      spec: {
        completions: 3,
        parallelism: 1,
        template: { spec: podSpec },
        selector: { matchLabels: { j: '1' } },
      },
      status: { succeeded: 1, startTime: '2026-01-01T11:57:30Z' },
    });
    assert.deepEqual(cells('jobs.batch', running), [
      'x',
      'Running',
      '1/3',
      '2m30s',
      '3h',
      'web,log',
      'nginx:1.27,busybox',
      'j=1',
    ]);
    const complete = obj('batch/v1', 'Job', {
      spec: { parallelism: 2 },
      status: {
        succeeded: 1,
        startTime: '2026-01-01T10:00:00Z',
        completionTime: '2026-01-01T10:00:12Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    });
    assert.deepEqual(cells('jobs.batch', complete).slice(1, 4), ['Complete', '1/1 of 2', '12s']);
    const pending = obj('batch/v1', 'Job', { spec: { suspend: true }, status: {} });
    pending.status = { conditions: [{ type: 'Suspended', status: 'True' }] };
    assert.deepEqual(cells('jobs.batch', pending).slice(1, 4), ['Suspended', '0/1', '']);
  });

  void test('cron jobs: schedule, suspend, active, last schedule', () => {
    const cj = obj('batch/v1', 'CronJob', {
      spec: {
        schedule: '*/1 * * * *',
        suspend: false,
        jobTemplate: { spec: { template: { spec: podSpec } } },
      },
      status: { active: [{ name: 'x-1' }], lastScheduleTime: '2026-01-01T11:59:00Z' },
    });
    assert.deepEqual(cells('cronjobs.batch', cj), [
      'x',
      '*/1 * * * *',
      '<none>',
      'False',
      1,
      '60s',
      '3h',
      'web,log',
      'nginx:1.27,busybox',
      '<none>',
    ]);
    const never = obj('batch/v1', 'CronJob', { spec: { schedule: '@daily', timeZone: 'Etc/UTC' } });
    assert.deepEqual(cells('cronjobs.batch', never).slice(2, 6), ['Etc/UTC', '<unset>', 0, '<none>']);
  });
});

void describe('autoscaling', () => {
  const hpa = (metrics: unknown[], currentMetrics?: unknown[]) =>
    obj('autoscaling/v2', 'HorizontalPodAutoscaler', {
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics,
      },
      status: { currentReplicas: 3, desiredReplicas: 3, ...(currentMetrics ? { currentMetrics } : {}) },
    });
  const cpu = {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
  };

  void test('cpu utilization with and without a current value', () => {
    assert.deepEqual(cells('horizontalpodautoscalers.autoscaling', hpa([cpu])), [
      'x',
      'Deployment/web',
      'cpu: <unknown>/80%',
      '2',
      10,
      3,
      '3h',
    ]);
    const current = [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 10, averageValue: '50m' } },
      },
    ];
    assert.equal(cells('horizontalpodautoscalers.autoscaling', hpa([cpu], current))[2], 'cpu: 10%/80%');
  });

  void test('other metric kinds, and more than two metrics', () => {
    const memory = {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
    };
    const pods = {
      type: 'Pods',
      pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1k' } },
    };
    const external = {
      type: 'External',
      external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } },
    };
    const row = cells('horizontalpodautoscalers.autoscaling', hpa([memory, pods, external]));
    assert.equal(row[2], 'memory: <unknown>/500Mi, <unknown>/1k + 1 more...');
    const obj2 = cells(
      'horizontalpodautoscalers.autoscaling',
      hpa([external], [{ type: 'External', external: { current: { averageValue: '12' } } }]),
    );
    assert.equal(obj2[2], '12/30 (avg)');
    const none = cells('horizontalpodautoscalers.autoscaling', hpa([]));
    assert.equal(none[2], '<none>');
  });
});

void describe('networking, rbac, storage, policy, scheduling, coordination', () => {
  void test('ingresses and ingress classes', () => {
    const ing = obj('networking.k8s.io/v1', 'Ingress', {
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.test' }, { host: 'b.example.test' }],
        tls: [{ hosts: ['a.example.test'] }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    });
    assert.deepEqual(cells('ingresses.networking.k8s.io', ing), [
      'x',
      'nginx',
      'a.example.test,b.example.test',
      '192.0.2.1',
      '80, 443',
      '3h',
    ]);
    const bare = obj('networking.k8s.io/v1', 'Ingress', { spec: { rules: [{ http: {} }] } });
    assert.deepEqual(cells('ingresses.networking.k8s.io', bare).slice(1, 5), ['<none>', '*', '', '80']);
    const ic = obj('networking.k8s.io/v1', 'IngressClass', {
      spec: {
        controller: 'k8s.io/ingress-nginx',
        parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' },
      },
    });
    assert.deepEqual(cells('ingressclasses.networking.k8s.io', ic), [
      'x',
      'k8s.io/ingress-nginx',
      'Params.k8s.example.com/p',
      '3h',
    ]);
  });

  void test('network policies and endpoint slices', () => {
    const np = obj('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {} } });
    assert.deepEqual(cells('networkpolicies.networking.k8s.io', np), ['x', '<none>', '3h']);
    const es = obj('discovery.k8s.io/v1', 'EndpointSlice', {
      addressType: 'IPv4',
      ports: [{ port: 80 }, { name: 'metrics' }],
      endpoints: [
        { addresses: ['10.0.0.1'] },
        { addresses: ['10.0.0.2'] },
        { addresses: ['10.0.0.3'] },
        { addresses: ['10.0.0.4'] },
      ],
    });
    assert.deepEqual(cells('endpointslices.discovery.k8s.io', es), [
      'x',
      'IPv4',
      '80,metrics',
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
      '3h',
    ]);
    const empty = obj('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4' });
    assert.deepEqual(cells('endpointslices.discovery.k8s.io', empty).slice(2, 4), ['<unset>', '<unset>']);
  });

  void test('role bindings list role and subjects', () => {
    const rb = obj('rbac.authorization.k8s.io/v1', 'RoleBinding', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
        { kind: 'User', name: 'bob' },
      ],
    });
    assert.deepEqual(cells('rolebindings.rbac.authorization.k8s.io', rb), [
      'x',
      'ClusterRole/view',
      '3h',
      'alice, bob',
      'devs',
      'build/ci',
    ]);
  });

  void test('storage classes mark the default', () => {
    const sc = obj(
      'storage.k8s.io/v1',
      'StorageClass',
      { provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
      { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    );
    assert.deepEqual(cells('storageclasses.storage.k8s.io', sc), [
      'x (default)',
      'rancher.io/local-path',
      'Delete',
      'WaitForFirstConsumer',
      false,
      '3h',
    ]);
  });

  void test('pod disruption budgets, priority classes, leases', () => {
    const pdb = obj('policy/v1', 'PodDisruptionBudget', {
      spec: { minAvailable: '50%' },
      status: { disruptionsAllowed: 1 },
    });
    assert.deepEqual(cells('poddisruptionbudgets.policy', pdb), ['x', '50%', 'N/A', 1, '3h']);
    const pc = obj('scheduling.k8s.io/v1', 'PriorityClass', {
      value: 1000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    assert.deepEqual(cells('priorityclasses.scheduling.k8s.io', pc), [
      'x',
      1000,
      false,
      '3h',
      'PreemptLowerPriority',
    ]);
    const lease = obj('coordination.k8s.io/v1', 'Lease', { spec: { holderIdentity: 'node-1' } });
    assert.deepEqual(cells('leases.coordination.k8s.io', lease), ['x', 'node-1', '3h']);
  });

  void test('webhook configurations count their webhooks', () => {
    const hook = { name: 'a.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'] };
    const vwc = obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', {
      webhooks: [hook, { ...hook, name: 'b.example.com' }],
    });
    assert.deepEqual(cells('validatingwebhookconfigurations.admissionregistration.k8s.io', vwc), [
      'x',
      2,
      '3h',
    ]);
    const mwc = obj('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', {});
    assert.deepEqual(cells('mutatingwebhookconfigurations.admissionregistration.k8s.io', mwc), [
      'x',
      0,
      '3h',
    ]);
    const table = tableConvertors['mutatingwebhookconfigurations.admissionregistration.k8s.io'];
    assert.deepEqual(
      table?.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Webhooks', 'integer'],
        ['Age', 'string'],
      ],
    );
  });

  void test('validating admission policies: validations and param kind', () => {
    const resource = 'validatingadmissionpolicies.admissionregistration.k8s.io';
    const vap = obj('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', {
      spec: {
        paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
        validations: [{ expression: 'true' }, { expression: 'false' }],
      },
    });
    assert.deepEqual(cells(resource, vap), ['x', 2, 'rules.example.com/v1/ReplicaLimit', '3h']);
    const bare = obj('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', {
      spec: { auditAnnotations: [{ key: 'k', valueExpression: "'v'" }] },
    });
    assert.deepEqual(cells(resource, bare), ['x', 0, '<unset>', '3h']);
    assert.deepEqual(
      tableConvertors[resource]?.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Validations', 'integer'],
        ['ParamKind', 'string'],
        ['Age', 'string'],
      ],
    );
  });

  void test('validating admission policy bindings: policy and param reference as upstream prints them', () => {
    const resource = 'validatingadmissionpolicybindings.admissionregistration.k8s.io';
    const binding = (paramRef?: Record<string, unknown>) =>
      obj('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', {
        spec: { policyName: 'demo', validationActions: ['Deny'], ...(paramRef ? { paramRef } : {}) },
      });
    assert.deepEqual(cells(resource, binding()), ['x', 'demo', '<unset>', '3h']);
    assert.deepEqual(cells(resource, binding({ name: 'limits', namespace: 'default' })), [
      'x',
      'demo',
      'default/limits',
      '3h',
    ]);
    // No namespace: the param may be cluster-scoped or in the request's namespace.
    assert.deepEqual(cells(resource, binding({ name: 'limits' }))[2], '*/limits');
    assert.deepEqual(
      cells(resource, binding({ selector: {} }))[2],
      '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}',
    );
    assert.deepEqual(
      cells(
        resource,
        binding({
          namespace: 'ignored',
          selector: {
            matchLabels: { team: 'b', env: 'prod' },
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['web', 'api'] },
              { key: 'legacy', operator: 'DoesNotExist' },
            ],
          },
        }),
      )[2],
      '&LabelSelector{MatchLabels:map[string]string{env: prod,team: b,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:tier,Operator:In,Values:[web api],},LabelSelectorRequirement{Key:legacy,Operator:DoesNotExist,Values:[],},},}',
    );
    assert.deepEqual(
      tableConvertors[resource]?.columns.map((c) => c.name),
      ['Name', 'PolicyName', 'ParamRef', 'Age'],
    );
  });

  void test('pod templates', () => {
    const pt = obj('v1', 'PodTemplate', {
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
    });
    assert.deepEqual(cells('podtemplates', pt), ['x', 'web,log', 'nginx:1.27,busybox', 'app=web']);
  });
});
