import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiClient, R } from '../../src/client/index.js';
import { MetricsScraper } from '../../src/metrics/index.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

/** A kubelet's /metrics/resource on loopback that counts connections and can reset reused ones. */
class FakeKubelet {
  connections = 0;
  /** Destroy a connection when a second request arrives on it, as a kubelet closing an idle one just then would. */
  resetReused = false;
  /** Answer each scrape this long after it arrived. */
  answerAfterMs = 0;
  /** When each scrape arrived (performance.now()). */
  readonly arrivals: number[] = [];
  private readonly requestsOn = new WeakMap<Socket, number>();
  private readonly startedMs = Date.now();
  readonly server: Server = createServer((req, res) => {
    this.arrivals.push(performance.now());
    const seen = (this.requestsOn.get(req.socket) ?? 0) + 1;
    this.requestsOn.set(req.socket, seen);
    if (this.resetReused && seen > 1) {
      req.socket.destroy();
      return;
    }
    setTimeout(() => {
      const now = Date.now();
      res.end(
        `node_cpu_usage_seconds_total ${((now - this.startedMs) / 1000) * 0.25} ${now}\n` +
          `node_memory_working_set_bytes 1048576 ${now}\n`,
      );
    }, this.answerAfterMs);
  });

  async listen(): Promise<number> {
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

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

async function withScraper(fn: (scraper: MetricsScraper) => Promise<void>, intervalMs = 50): Promise<void> {
  const scraper = new MetricsScraper({ client: { server: server.url }, intervalMs });
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
