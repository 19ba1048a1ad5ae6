import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { MetricsProvider } from '../../src/apiserver/metrics/index.js';
import { ApiClient, R } from '../../src/client/index.js';
import { hasReason } from '../../src/api/errors.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;

const T = Date.parse('2026-01-01T00:00:00Z');

const fake: MetricsProvider = {
  getNodeMetrics: (names) =>
    names.map((n) =>
      n === 'node-a'
        ? { timestampMs: T, windowMs: 15_000, usage: { cpu: '250m', memory: '1Gi' } }
        : undefined,
    ),
  getPodMetrics: (pods) =>
    pods.map((p) =>
      p.name === 'no-metrics'
        ? undefined
        : {
            timestampMs: T,
            windowMs: 15_000,
            containers: [{ name: 'main', usage: { cpu: '10m', memory: '20Mi' } }],
          },
    ),
};

async function get<T = Record<string, unknown>>(path: string, accept = 'application/json'): Promise<T> {
  const res = await fetch(server.url + path, { headers: { accept } });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

before(async () => {
  server = await startTestServer();
  server.server.context.metrics = fake;
  client = new ApiClient({ server: server.url });
  const nodes = client.resource<Node>(R.nodes);
  await nodes.create({ metadata: { name: 'node-a', labels: { zone: 'a' } } });
  await nodes.create({ metadata: { name: 'node-b' } });
  const pods = client.resource<Pod>(R.pods);
  for (const [name, app] of [
    ['web-1', 'web'],
    ['web-2', 'web'],
    ['db-1', 'db'],
    ['no-metrics', 'web'],
  ] as const) {
    await pods.create({
      metadata: { name, namespace: 'default', labels: { app } },
      spec: { containers: [{ name: 'main', image: 'nginx' }] },
    });
  }
});

after(async () => {
  client.close();
  await server.close();
});

test('discovery lists metrics.k8s.io (aggregated and legacy)', async () => {
  const aggregated = await get<{
    items: {
      metadata: { name: string };
      versions: { version: string; resources: { resource: string }[] }[];
    }[];
  }>('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const group = aggregated.items.find((i) => i.metadata.name === 'metrics.k8s.io');
  assert.equal(group?.versions[0]?.version, 'v1beta1');
  assert.deepEqual(
    group?.versions[0]?.resources.map((r) => r.resource),
    ['nodes', 'pods'],
  );
  const legacy = await get<{ groups: { name: string }[] }>('/apis');
  assert.ok(legacy.groups.some((g) => g.name === 'metrics.k8s.io'));
  const list = await get<{ resources: { name: string; kind: string }[] }>('/apis/metrics.k8s.io/v1beta1');
  assert.deepEqual(
    list.resources.map((r) => r.kind),
    ['NodeMetrics', 'PodMetrics'],
  );
  const g = await get<{ preferredVersion: { groupVersion: string } }>('/apis/metrics.k8s.io');
  assert.equal(g.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
});

test('node metrics: list skips nodes without samples; get by name; label selector', async () => {
  const list = await get<{
    kind: string;
    items: { metadata: { name: string }; usage: { cpu: string }; window: string; timestamp: string }[];
  }>('/apis/metrics.k8s.io/v1beta1/nodes');
  assert.equal(list.kind, 'NodeMetricsList');
  assert.deepEqual(
    list.items.map((i) => i.metadata.name),
    ['node-a'],
  );
  assert.equal(list.items[0]?.usage.cpu, '250m');
  assert.equal(list.items[0]?.window, '15s');
  assert.equal(list.items[0]?.timestamp, '2026-01-01T00:00:00Z');
  const one = await get<{ kind: string; usage: { memory: string } }>(
    '/apis/metrics.k8s.io/v1beta1/nodes/node-a',
  );
  assert.equal(one.kind, 'NodeMetrics');
  assert.equal(one.usage.memory, '1Gi');
  const none = await get<{ items: unknown[] }>('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Db');
  assert.equal(none.items.length, 0);
  const res = await fetch(`${server.url}/apis/metrics.k8s.io/v1beta1/nodes/node-b`);
  assert.equal(res.status, 404);
});

test('pod metrics: namespaced and cluster-wide lists, label selectors, single pods', async () => {
  const web = await get<{
    kind: string;
    items: { metadata: { name: string; labels: Record<string, string> }; containers: { name: string }[] }[];
  }>('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb');
  assert.equal(web.kind, 'PodMetricsList');
  assert.deepEqual(web.items.map((i) => i.metadata.name).sort(), ['web-1', 'web-2']);
  assert.equal(web.items[0]?.metadata.labels.app, 'web');
  assert.equal(web.items[0]?.containers[0]?.name, 'main');
  const all = await get<{ items: unknown[] }>('/apis/metrics.k8s.io/v1beta1/pods');
  assert.equal(all.items.length, 3);
  const one = await get<{ kind: string; metadata: { namespace: string } }>(
    '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db-1',
  );
  assert.equal(one.kind, 'PodMetrics');
  assert.equal(one.metadata.namespace, 'default');
  await assert.rejects(
    client.transport.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/no-metrics'),
    (err) => hasReason(err, 'NotFound'),
  );
});
