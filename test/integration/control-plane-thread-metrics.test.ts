import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { startControlPlaneThread, type ControlPlaneThread } from '../../src/cli/control-plane-thread.js';
import { ApiClient, R } from '../../src/client/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';

let server: TestServer;
let client: ApiClient;
let kubelet: FakeKubelet;

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
  kubelet = new FakeKubelet();
  const port = await kubelet.listen();
  await client.resource<Node>(R.nodes).create({
    metadata: { name: 'scraped', labels: { 'node.kubernetes.io/instance-type': 'hollow' } },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  });
});

after(async () => {
  await kubelet.close();
  client.close();
  await server.close();
});

test('the control-plane thread scrapes nodes and answers the API server by message', async () => {
  const failures: Error[] = [];
  const thread: ControlPlaneThread = await startControlPlaneThread(
    {
      client: { server: server.url },
      logLevel: 'error',
      controllerManager: false,
      scheduler: false,
      metrics: { intervalMs: 100 },
    },
    silentLogger,
    (err) => failures.push(err),
  );
  const metrics = thread.metrics;
  try {
    assert.ok(metrics, 'the thread runs a scraper');
    // A cpu rate needs two scrapes of the node.
    const deadline = Date.now() + 10_000;
    let point = (await metrics.getNodeMetrics(['scraped']))[0];
    while (!point && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      point = (await metrics.getNodeMetrics(['scraped']))[0];
    }
    assert.ok(point, 'usage of the node within 10 s');
    assert.equal(point.usage.memory, '1Mi');
    assert.equal(point.usage.cpu, '250m');
    const both = await metrics.getNodeMetrics(['unknown', 'scraped']);
    assert.equal(both[0], undefined);
    assert.deepEqual(both[1]?.usage, point.usage);
    assert.deepEqual(await metrics.getPodMetrics([{ namespace: 'default', name: 'none' }]), [undefined]);
  } finally {
    await thread.stop();
  }
  assert.deepEqual(failures, []);
  // Nothing answers once the thread is gone: no samples, and no request left hanging.
  const after = await metrics.getNodeMetrics(['scraped']);
  assert.equal(after.length, 1);
  assert.equal(after[0], undefined);
});
