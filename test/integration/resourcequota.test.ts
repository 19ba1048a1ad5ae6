import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type {
  ConfigMap,
  PersistentVolumeClaim,
  Pod,
  ResourceQuota,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { resourceQuotaController } from '../../src/controllers/resourcequota/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ resourcequota: resourceQuotaController });
  client = cluster.client;
  await client.resource(R.namespaces).create({ metadata: { name: 'quota' } });
});
after(() => cluster.close());

const quotas = () => client.resource<ResourceQuota>(R.resourceQuotas);

async function usedOf(
  name: string,
  expect: Record<string, string>,
  namespace = 'quota',
): Promise<ResourceQuota> {
  let last: unknown;
  return waitFor(
    async () => {
      const q = await quotas().get(namespace, name);
      last = q.status;
      return JSON.stringify(q.status?.used) === JSON.stringify(expect) ? q : undefined;
    },
    { message: `used of ${name} (last ${JSON.stringify(last)})` },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}: last status ${JSON.stringify(last)}`);
  });
}

function pod(name: string, resources: Record<string, Record<string, string>>, phase?: string): Pod {
  return {
    metadata: { name, namespace: 'quota' },
    spec: { containers: [{ name: 'c', image: 'busybox', resources }] },
    ...(phase ? { status: { phase } } : {}),
  };
}

test('compute quota: pods, requests and limits, bare cpu/memory', async () => {
  const hard = {
    pods: '10',
    'requests.cpu': '4',
    'limits.memory': '2Gi',
    cpu: '4',
    memory: '4Gi',
    'requests.memory': '4Gi',
    'count/pods': '10',
  };
  await quotas().create({ metadata: { name: 'compute', namespace: 'quota' }, spec: { hard } });
  const empty = await usedOf('compute', {
    pods: '0',
    'requests.cpu': '0',
    'limits.memory': '0',
    cpu: '0',
    memory: '0',
    'requests.memory': '0',
    'count/pods': '0',
  });
  assert.deepEqual(empty.status?.hard, hard);
  // No quota counts ConfigMaps or Secrets yet: the controller does not watch them.
  assert.ok(cluster.ctx.informers.resources().includes('pods'));
  assert.ok(!cluster.ctx.informers.resources().includes('configmaps'));
  assert.ok(!cluster.ctx.informers.resources().includes('secrets'));

  const pods = client.resource<Pod>(R.pods);
  await pods.create(pod('a', { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi' } }));
  await pods.create(pod('b', { requests: { cpu: '1', memory: '128Mi' }, limits: { memory: '256Mi' } }));
  await usedOf('compute', {
    pods: '2',
    'requests.cpu': '1250m',
    'limits.memory': '512Mi',
    cpu: '1250m',
    memory: '256Mi',
    'requests.memory': '256Mi',
    'count/pods': '2',
  });

  // A terminal pod no longer counts.
  await pods.patch('quota', 'b', 'merge', { status: { phase: 'Succeeded' } }, { subresource: 'status' });
  await usedOf('compute', {
    pods: '1',
    'requests.cpu': '250m',
    'limits.memory': '256Mi',
    cpu: '250m',
    memory: '128Mi',
    'requests.memory': '128Mi',
    'count/pods': '1',
  });
});

test('object counts: configmaps, services, node ports, load balancers, count/<resource>.<group>', async () => {
  await quotas().create({
    metadata: { name: 'objects', namespace: 'quota' },
    spec: {
      hard: {
        configmaps: '5',
        services: '5',
        'services.nodeports': '4',
        'services.loadbalancers': '2',
        'count/deployments.apps': '3',
        resourcequotas: '3',
      },
    },
  });
  // Admission refuses tracked creates until the controller has filled in status.hard.
  await waitFor(async () => (await quotas().get('quota', 'objects')).status?.hard);
  await client.resource<ConfigMap>(R.configMaps).create({ metadata: { name: 'one', namespace: 'quota' } });
  const svcs = client.resource<Service>(R.services);
  await svcs.create({
    metadata: { name: 'np', namespace: 'quota' },
    spec: {
      type: 'NodePort',
      ports: [
        { port: 80, name: 'http' },
        { port: 443, name: 'tls' },
      ],
    },
  });
  await svcs.create({
    metadata: { name: 'lb', namespace: 'quota' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  });
  await svcs.create({ metadata: { name: 'plain', namespace: 'quota' }, spec: { ports: [{ port: 80 }] } });
  await client.resource<Deployment>(R.deployments).create({
    metadata: { name: 'd', namespace: 'quota' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  // The deployment count is read at sync time; a new service triggers one.
  await svcs.create({ metadata: { name: 'last', namespace: 'quota' }, spec: { ports: [{ port: 81 }] } });
  await usedOf('objects', {
    configmaps: '1',
    services: '4',
    'services.nodeports': '3',
    'services.loadbalancers': '1',
    'count/deployments.apps': '1',
    resourcequotas: '2',
  });
  // Counting ConfigMaps started a watch on them: a new one is counted without waiting for a resync.
  assert.ok(cluster.ctx.informers.resources().includes('configmaps'));
  await client.resource<ConfigMap>(R.configMaps).create({ metadata: { name: 'two', namespace: 'quota' } });
  await usedOf('objects', {
    configmaps: '2',
    services: '4',
    'services.nodeports': '3',
    'services.loadbalancers': '1',
    'count/deployments.apps': '1',
    resourcequotas: '2',
  });
});

test('admission refuses creates past spec.hard with 403 "exceeded quota"', async () => {
  await client.resource(R.namespaces).create({ metadata: { name: 'limited' } });
  await quotas().create({
    metadata: { name: 'small', namespace: 'limited' },
    spec: { hard: { pods: '2', 'requests.cpu': '1', configmaps: '1' } },
  });
  await waitFor(async () => (await quotas().get('limited', 'small')).status?.hard);
  const pods = client.resource<Pod>(R.pods);
  const p = (name: string, cpu: string): Pod => ({
    ...pod(name, { requests: { cpu } }),
    metadata: { name, namespace: 'limited' },
  });
  const bare = await pods
    .create({
      metadata: { name: 'bare', namespace: 'limited' },
      spec: {
        containers: [{ name: 'web', image: 'busybox' }],
        initContainers: [{ name: 'init', image: 'busybox' }],
      },
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.equal(
    (bare as Error).message,
    'pods "bare" is forbidden: failed quota: small: must specify requests.cpu for: init,web',
  );
  await pods.create(p('p1', '500m'));
  const cpu = await pods.create(p('p2', '600m')).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(hasReason(cpu, 'Forbidden'));
  assert.equal(
    (cpu as Error).message,
    'pods "p2" is forbidden: exceeded quota: small, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1',
  );
  await pods.create(p('p2', '100m'));
  const third = await pods.create(p('p3', '100m')).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.equal(
    (third as Error).message,
    'pods "p3" is forbidden: exceeded quota: small, requested: pods=1, used: pods=2, limited: pods=2',
  );

  const cms = client.resource<ConfigMap>(R.configMaps);
  await cms.create({ metadata: { name: 'one', namespace: 'limited' } });
  await assert.rejects(cms.create({ metadata: { name: 'two', namespace: 'limited' } }), (e) =>
    hasReason(e, 'Forbidden'),
  );

  // Deleting frees the charge once the controller has recounted.
  await pods.delete('limited', 'p1');
  await usedOf('small', { pods: '1', 'requests.cpu': '100m', configmaps: '1' }, 'limited');
  await pods.create(p('p3', '100m'));
});

async function refused(write: Promise<unknown>): Promise<string> {
  const err = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(hasReason(err, 'Forbidden'), `refused with 403 (${String(err)})`);
  return (err as Error).message;
}

test('a scope selector on priority classes: only the pods it selects count and are limited', async () => {
  await client.resource(R.namespaces).create({ metadata: { name: 'priority' } });
  for (const [name, value] of [
    ['high', 1000],
    ['low', 10],
  ] as const) {
    await client.resource(R.priorityClasses).create({ metadata: { name }, value });
  }
  await quotas().create({
    metadata: { name: 'high-only', namespace: 'priority' },
    spec: {
      hard: { pods: '1' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    },
  });
  await usedOf('high-only', { pods: '0' }, 'priority');
  const withClass = (name: string, priorityClassName?: string): Pod => ({
    metadata: { name, namespace: 'priority' },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      ...(priorityClassName ? { priorityClassName } : {}),
    },
  });
  const pods = client.resource<Pod>(R.pods);
  await pods.create(withClass('first', 'high'));
  assert.equal(
    await refused(pods.create(withClass('second', 'high'))),
    'pods "second" is forbidden: exceeded quota: high-only, requested: pods=1, used: pods=1, limited: pods=1',
  );
  await pods.create(withClass('low', 'low'));
  await pods.create(withClass('plain'));
  await usedOf('high-only', { pods: '1' }, 'priority');
});

test('updates are charged: a Service taking node ports, a claim growing', async () => {
  await client.resource(R.namespaces).create({ metadata: { name: 'updates' } });
  await quotas().create({
    metadata: { name: 'q', namespace: 'updates' },
    spec: { hard: { 'services.nodeports': '1', 'requests.storage': '3Gi' } },
  });
  await usedOf('q', { 'services.nodeports': '0', 'requests.storage': '0' }, 'updates');
  const services = client.resource<Service>(R.services);
  const svc = (name: string, ports: number[]): Service => ({
    metadata: { name, namespace: 'updates' },
    spec: { selector: { app: name }, ports: ports.map((port) => ({ name: `p${port}`, port })) },
  });
  await services.create(svc('web', [80]));
  await services.create(svc('api', [80, 443]));
  assert.equal(
    await refused(services.patch('updates', 'api', 'merge', { spec: { type: 'NodePort' } })),
    'services "api" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
  );
  await services.patch('updates', 'web', 'merge', { spec: { type: 'NodePort' } });
  assert.equal((await quotas().get('updates', 'q')).status?.used?.['services.nodeports'], '1');
  // The refused update gave back its node ports: a third Service may still take them once web lets go.
  await services.patch('updates', 'web', 'merge', {
    spec: { type: 'ClusterIP', ports: [{ name: 'p80', port: 80 }] },
  });
  await usedOf('q', { 'services.nodeports': '0', 'requests.storage': '0' }, 'updates');

  await client.resource(R.storageClasses).create({
    metadata: { name: 'expandable' },
    provisioner: 'example.com/none',
    allowVolumeExpansion: true,
  });
  const claims = client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
  await claims.create({
    metadata: { name: 'data', namespace: 'updates' },
    spec: {
      storageClassName: 'expandable',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    },
  });
  await usedOf('q', { 'services.nodeports': '0', 'requests.storage': '1Gi' }, 'updates');
  const grow = (storage: string) =>
    claims.patch('updates', 'data', 'merge', { spec: { resources: { requests: { storage } } } });
  // An unbound claim's spec is immutable: validation refuses before quota is asked.
  await assert.rejects(grow('2Gi'), (e: unknown) => hasReason(e, 'Invalid'));
  await claims.patch('updates', 'data', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  await grow('2Gi');
  assert.equal((await quotas().get('updates', 'q')).status?.used?.['requests.storage'], '2Gi');
  assert.equal(
    await refused(grow('4Gi')),
    'persistentvolumeclaims "data" is forbidden: exceeded quota: q, requested: requests.storage=2Gi, used: requests.storage=2Gi, limited: requests.storage=3Gi',
  );
  // Status writes are not quota's: the resizer recording an allocation beyond the quota is not refused.
  await claims.patch(
    'updates',
    'data',
    'merge',
    { status: { allocatedResources: { storage: '4Gi' } } },
    { subresource: 'status' },
  );
});

test('PersistentVolumeClaimResize: a bound claim grows only where its class allows expansion', async () => {
  await client.resource(R.namespaces).create({ metadata: { name: 'resize' } });
  await client
    .resource(R.storageClasses)
    .create({ metadata: { name: 'fixed' }, provisioner: 'example.com/none' });
  const claims = client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
  for (const [name, storageClassName] of [
    ['fixed', 'fixed'],
    ['classless', ''],
  ] as const) {
    await claims.create({
      metadata: { name, namespace: 'resize' },
      spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await claims.patch('resize', name, 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
    assert.equal(
      await refused(
        claims.patch('resize', name, 'merge', { spec: { resources: { requests: { storage: '2Gi' } } } }),
      ),
      `persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
    );
  }
});
