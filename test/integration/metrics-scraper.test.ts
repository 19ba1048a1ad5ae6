import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue } from '../../src/api/quantity.js';
import { ApiClient, R } from '../../src/client/index.js';
import { HollowNodes } from '../../src/hollow/index.js';
import { MetricsScraper } from '../../src/metrics/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;
let hollow: HollowNodes;
let scraper: MetricsScraper;

interface PodMetricsList {
  items: { metadata: { name: string }; containers: { usage: { cpu: string; memory: string } }[] }[];
}

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
  hollow = new HollowNodes({ client: { server: server.url }, count: 2, namePrefix: 'scraped-' });
  await hollow.start();
  scraper = new MetricsScraper({ client: { server: server.url }, intervalMs: 200 });
  await scraper.start();
  server.server.context.metrics = scraper;
});

after(async () => {
  await scraper.stop();
  await hollow.stop();
  client.close();
  await server.close();
});

const milli = (q: string | undefined): number => Number(quantityMilliValue(parseQuantity(q ?? '0')));

async function podCpu(selector: string): Promise<Map<string, number>> {
  const res = await client.transport.request(
    'GET',
    `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  const list = JSON.parse(res.body) as PodMetricsList;
  return new Map(list.items.map((i) => [i.metadata.name, milli(i.containers[0]?.usage.cpu)]));
}

test('node metrics for every ready hollow node', async () => {
  const list = await waitFor(async () => {
    const res = await client.transport.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    const body = JSON.parse(res.body) as {
      items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[];
    };
    return body.items.length === 2 ? body : undefined;
  });
  for (const item of list.items) {
    assert.ok(milli(item.usage.cpu) >= 40, `${item.metadata.name} cpu ${item.usage.cpu}`);
    assert.ok(milli(item.usage.memory) > 0);
  }
});

test('pod cpu follows the annotation and the hollow-load ConfigMap', async () => {
  const pods = client.resource<Pod>(R.pods);
  const mk = (name: string, node: string, app: string, annotations?: Record<string, string>): Pod => ({
    metadata: { name, namespace: 'default', labels: { app }, ...(annotations ? { annotations } : {}) },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'nginx' }] },
  });
  await pods.create(mk('fixed', 'scraped-0', 'fixed', { 'hollow.tugboat.dev/cpu-millicores': '300' }));
  await pods.create(mk('web-a', 'scraped-0', 'web'));
  await pods.create(mk('web-b', 'scraped-1', 'web'));
  await waitFor(
    async () => {
      const cpu = await podCpu('app=fixed');
      const v = cpu.get('fixed');
      return v !== undefined && Math.abs(v - 300) <= 3;
    },
    { message: 'fixed pod at 300m' },
  );
  await client.resource<ConfigMap>(R.configMaps).create({
    metadata: { name: 'hollow-load', namespace: 'default' },
    data: { web: '1000' },
  });
  // The rate settles once both samples of the window were taken under the new load.
  await waitFor(
    async () => {
      const cpu = await podCpu('app=web');
      return [...cpu.values()].length === 2 && [...cpu.values()].every((v) => Math.abs(v - 500) <= 5);
    },
    { message: 'web pods at 500m each' },
  );
});
