/**
 * The LimitRanger admission plugin through the API: container defaults on pod create, the Container, Pod and
 * PersistentVolumeClaim bounds with upstream's 403 messages, claims checked on update, dry runs, and a
 * LimitRange's removal lifting its bounds. ResourceQuota sees the defaulted pod.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type {
  Container,
  LimitRange,
  PersistentVolumeClaim,
  Pod,
  ResourceQuota,
} from 'kubernetes-types/core/v1.js';
import { ApiError, hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { resourceQuotaController } from '../../src/controllers/resourcequota/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ resourcequota: resourceQuotaController });
  client = cluster.client;
});
after(() => cluster.close());

const pods = () => client.resource<Pod>(R.pods);
const claims = () => client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
const limitRanges = () => client.resource<LimitRange>(R.limitRanges);

async function namespaceWithLimits(namespace: string, limits: LimitRange['spec']): Promise<void> {
  await client.resource(R.namespaces).create({ metadata: { name: namespace } });
  await limitRanges().create({ metadata: { name: 'limits', namespace }, spec: limits! });
}

function pod(namespace: string, name: string, resources?: Container['resources']): Pod {
  return {
    metadata: { name, namespace },
    spec: { containers: [{ name: 'web', image: 'busybox', ...(resources ? { resources } : {}) }] },
  };
}

async function refusal(write: Promise<unknown>): Promise<ApiError> {
  const err = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `refused (${String(err)})`);
  assert.ok(hasReason(err, 'Forbidden'), err.message);
  assert.equal(err.status.code, 403);
  return err;
}

test('containers without requests or limits get the defaults, and the pod says so', async () => {
  await namespaceWithLimits('defaults', {
    limits: [
      { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } },
    ],
  });
  const created = await pods().create({
    metadata: { name: 'web', namespace: 'defaults' },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox', resources: { limits: { memory: '64Mi' } } }],
      containers: [{ name: 'web', image: 'busybox' }],
    },
  });
  assert.deepEqual(created.spec?.containers[0]?.resources, {
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  });
  // The init container's memory request came from its own limit (pod defaulting, before admission).
  assert.deepEqual(created.spec?.initContainers?.[0]?.resources, {
    requests: { memory: '64Mi', cpu: '100m' },
    limits: { memory: '64Mi', cpu: '500m' },
  });
  assert.equal(
    created.metadata?.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web; ' +
      'cpu request for init container init; cpu limit for init container init',
  );
  const stored = await pods().get('defaults', 'web');
  assert.deepEqual(stored.spec?.containers[0]?.resources, created.spec?.containers[0]?.resources);
});

test('container and pod bounds refuse pods with every reason; a dry run is refused alike', async () => {
  await namespaceWithLimits('bounded', {
    limits: [
      { type: 'Container', max: { cpu: '1', memory: '1Gi' }, min: { cpu: '50m' } },
      { type: 'Pod', max: { cpu: '1500m' } },
    ],
  });
  const big = await refusal(
    pods().create(pod('bounded', 'big', { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '10m' } })),
  );
  assert.equal(
    big.message,
    'pods "big" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, ' +
      'maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi, ' +
      'maximum cpu usage per Pod is 1500m, but limit is 2]',
  );
  assert.deepEqual(big.status.details, { name: 'big', kind: 'pods' });

  // Two containers within the Container bounds can still break the Pod's.
  const pair: Pod = {
    metadata: { name: 'pair', namespace: 'bounded' },
    spec: {
      containers: ['a', 'b'].map((name) => ({
        name,
        image: 'busybox',
        resources: { limits: { cpu: '800m', memory: '512Mi' } },
      })),
    },
  };
  const refused = await refusal(pods().create(pair, { dryRun: true }));
  assert.equal(
    refused.message,
    'pods "pair" is forbidden: maximum cpu usage per Pod is 1500m, but limit is 1600m',
  );
  pair.spec!.containers[1]!.resources!.limits!.cpu = '700m';
  await pods().create(pair);
  await assert.rejects(pods().get('bounded', 'big'), (e: unknown) => hasReason(e, 'NotFound'));

  // A container that asks for nothing gets the max as its limit and request (LimitRange defaulting), so fits.
  const bare = await pods().create(pod('bounded', 'bare'), { dryRun: true });
  assert.deepEqual(bare.spec?.containers[0]?.resources, {
    requests: { cpu: '1', memory: '1Gi' },
    limits: { cpu: '1', memory: '1Gi' },
  });
  // A limit without a request takes the limit as its request (pod defaulting), which the min then judges.
  const tiny = await refusal(pods().create(pod('bounded', 'tiny', { limits: { cpu: '20m' } })));
  assert.equal(
    tiny.message,
    'pods "tiny" is forbidden: minimum cpu usage per Container is 50m, but request is 20m',
  );

  // Once the LimitRange is gone, so are its bounds (the watch tells admission the namespace has none).
  await limitRanges().delete('bounded', 'limits');
  await waitFor(async () =>
    pods()
      .create(pod('bounded', 'big', { limits: { cpu: '2' } }), { dryRun: true })
      .then(
        () => true,
        () => false,
      ),
  );
});

test('claims: storage between min and max on create and on every update while the range stands', async () => {
  await client.resource(R.namespaces).create({ metadata: { name: 'storage' } });
  const claim = (name: string, storage: string): PersistentVolumeClaim => ({
    metadata: { name, namespace: 'storage' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  await claims().create(claim('early', '50Gi'));
  await limitRanges().create({
    metadata: { name: 'storage', namespace: 'storage' },
    spec: { limits: [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }] },
  });
  await claims().create(claim('fits', '5Gi'));
  const small = await refusal(claims().create(claim('small', '500Mi')));
  assert.equal(
    small.message,
    'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  );
  // A claim made before the range is held to it on its next update, as upstream's plugin checks every update.
  const update = await refusal(
    claims().patch('storage', 'early', 'merge', { metadata: { labels: { tier: 'bulk' } } }),
  );
  assert.equal(
    update.message,
    'persistentvolumeclaims "early" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 50Gi',
  );
  // Status writes are not checked.
  await claims().patch(
    'storage',
    'early',
    'merge',
    { status: { phase: 'Pending' } },
    { subresource: 'status' },
  );
  // A claim being deleted is not held to the range: its finalizers can still be taken away.
  await claims().delete('storage', 'early');
  await claims().patch('storage', 'early', 'merge', { metadata: { finalizers: null } });
  await assert.rejects(claims().get('storage', 'early'), (e: unknown) => hasReason(e, 'NotFound'));
});

test('defaults give a quota the requests it demands', async () => {
  await namespaceWithLimits('quoted', {
    limits: [{ type: 'Container', default: { cpu: '200m', memory: '128Mi' } }],
  });
  const quotas = client.resource<ResourceQuota>(R.resourceQuotas);
  await quotas.create({
    metadata: { name: 'compute', namespace: 'quoted' },
    spec: { hard: { 'requests.cpu': '500m', 'limits.memory': '256Mi' } },
  });
  await waitFor(async () => (await quotas.get('quoted', 'compute')).status?.hard);
  await pods().create(pod('quoted', 'one'));
  await pods().create(pod('quoted', 'two'));
  const third = await refusal(pods().create(pod('quoted', 'three')));
  assert.equal(
    third.message,
    'pods "three" is forbidden: exceeded quota: compute, requested: limits.memory=128Mi,requests.cpu=200m, ' +
      'used: limits.memory=256Mi,requests.cpu=400m, limited: limits.memory=256Mi,requests.cpu=500m',
  );
});
