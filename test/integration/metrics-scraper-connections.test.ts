import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiClient, R } from '../../src/client/index.js';
import { MetricsScraper } from '../../src/metrics/index.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';

let server: TestServer;
let client: ApiClient;
const kubelets: FakeKubelet[] = [];

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
});

after(async () => {
  for (const k of kubelets) await k.close();
  client.close();
  await server.close();
});

async function nodeServedBy(name: string): Promise<FakeKubelet> {
  const kubelet = new FakeKubelet();
  kubelets.push(kubelet);
  const port = await kubelet.listen();
  await client.resource<Node>(R.nodes).create({
    metadata: { name, labels: { 'node.kubernetes.io/instance-type': 'hollow' } },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  });
  return kubelet;
}

async function withScraper(
  fn: (scraper: MetricsScraper) => Promise<void>,
  intervalMs = 50,
  timeoutMs?: number,
): Promise<void> {
  const scraper = new MetricsScraper({
    client: { server: server.url },
    intervalMs,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  await scraper.start();
  try {
    await fn(scraper);
  } finally {
    await scraper.stop();
  }
}

test('scrapes reuse one connection per node', async () => {
  const kubelet = await nodeServedBy('kept-alive');
  await withScraper(async (scraper) => {
    await scraper.waitForScrapes(5);
    assert.ok(scraper.getNodeMetrics(['kept-alive'])[0], 'node metrics after five scrapes');
  });
  assert.equal(kubelet.connections, 1);
});

test('a kept connection the node resets is replaced within the same scrape', async () => {
  const kubelet = await nodeServedBy('resetting');
  kubelet.resetReused = true;
  await withScraper(async (scraper) => {
    await scraper.waitForScrapes(2);
    for (let round = 0; round < 4; round++) {
      assert.ok(scraper.getNodeMetrics(['resetting'])[0], `node metrics after scrape ${round + 2}`);
      await scraper.waitForScrapes(1);
    }
  });
  assert.ok(kubelet.connections >= 5, `${kubelet.connections} connections`);
});

test('rounds start every interval, however long a round takes', async () => {
  // The pause between two scrapes of a node must not grow with the round's length: with thousands of nodes it
  // would pass the kept connection's idle timeout and every scrape would reconnect.
  const kubelet = await nodeServedBy('slow');
  kubelet.answerAfterMs = 200;
  await withScraper(async (scraper) => {
    await scraper.waitForScrapes(5);
  }, 300);
  const gaps = kubelet.arrivals.slice(1).map((t, i) => t - kubelet.arrivals[i]!);
  const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  // Once per 300 ms interval; ending rounds with a 300 ms pause would space them 500 ms apart.
  assert.ok(meanGap < 420, `scrapes ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart`);
  assert.equal(kubelet.connections, 1);
});

test('a node that does not answer within the timeout is dropped, and its connection with it', async () => {
  const kubelet = await nodeServedBy('silent');
  kubelet.answerAfterMs = 5000;
  const started = performance.now();
  await withScraper(
    async (scraper) => {
      await scraper.waitForScrapes(3);
      assert.equal(scraper.getNodeMetrics(['silent'])[0], undefined);
    },
    200,
    100,
  );
  // Three rounds, each cut off at 100 ms, not left waiting for the 5 s answer.
  assert.ok(performance.now() - started < 2500, `${(performance.now() - started).toFixed(0)} ms`);
  assert.ok(kubelet.connections >= 3, `${kubelet.connections} connections: a timed-out one is not reused`);
});
