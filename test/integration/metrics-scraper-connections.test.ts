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
  private readonly requestsOn = new WeakMap<Socket, number>();
  private readonly startedMs = Date.now();
  readonly server: Server = createServer((req, res) => {
    const seen = (this.requestsOn.get(req.socket) ?? 0) + 1;
    this.requestsOn.set(req.socket, seen);
    if (this.resetReused && seen > 1) {
      req.socket.destroy();
      return;
    }
    const now = Date.now();
    res.end(
      `node_cpu_usage_seconds_total ${((now - this.startedMs) / 1000) * 0.25} ${now}\n` +
        `node_memory_working_set_bytes 1048576 ${now}\n`,
    );
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

async function withScraper(fn: (scraper: MetricsScraper) => Promise<void>): Promise<void> {
  const scraper = new MetricsScraper({ client: { server: server.url }, intervalMs: 50 });
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
