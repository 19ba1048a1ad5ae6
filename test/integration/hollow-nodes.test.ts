import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { ApiClient, R } from '../../src/client/index.js';
import { HollowNodes } from '../../src/hollow/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;
let hollow: HollowNodes;

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
  hollow = new HollowNodes({ client: { server: server.url }, count: 3, leaseRenewMs: 200 });
  await hollow.start();
});

after(async () => {
  await hollow.stop();
  client.close();
  await server.close();
});

function pod(
  name: string,
  nodeName: string,
  extra: Partial<Pod['spec']> = {},
  annotations?: Record<string, string>,
): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'hollow-test' },
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      nodeName,
      containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '100m' } } }],
      ...extra,
    },
  };
}

async function getMetrics(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/metrics/resource' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('registers Ready nodes with capacity, labels, addresses and a kubelet endpoint', async () => {
  const nodes = await client.resource<Node>(R.nodes).list();
  assert.deepEqual(nodes.items.map((n) => n.metadata?.name).sort(), [
    'hollow-node-0',
    'hollow-node-1',
    'hollow-node-2',
  ]);
  const n = nodes.items.find((x) => x.metadata?.name === 'hollow-node-1')!;
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'hollow-node-1');
  assert.equal(n.metadata?.labels?.['node.kubernetes.io/instance-type'], 'hollow');
  assert.equal(n.status?.capacity?.cpu, '4');
  assert.equal(n.status?.allocatable?.pods, '110');
  assert.match(n.status?.nodeInfo?.containerRuntimeVersion ?? '', /^hollow:\/\//);
  assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, '127.1.0.2');
  assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, hollow.metricsPort);
});

test('renews each node Lease', async () => {
  const leases = client.resource<Lease>(R.leases);
  const first = await leases.get('kube-node-lease', 'hollow-node-0');
  assert.equal(first.spec?.holderIdentity, 'hollow-node-0');
  await waitFor(
    async () =>
      (await leases.get('kube-node-lease', 'hollow-node-0')).spec?.renewTime !== first.spec?.renewTime,
    {
      message: 'lease renewed',
    },
  );
});

test('pods bound to a hollow node run with an IP from the node range', async () => {
  const pods = client.resource<Pod>(R.pods);
  await pods.create(pod('runner', 'hollow-node-2'));
  const running = await waitFor(async () => {
    const p = await pods.get('default', 'runner');
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return p.status?.phase === 'Running' && ready ? p : undefined;
  });
  assert.match(running.status?.podIP ?? '', /^10\.42\.2\.\d+$/);
  assert.equal(running.status?.hostIP, '127.1.0.3');
  assert.equal(running.status?.qosClass, 'Burstable');
  const cs = running.status?.containerStatuses?.[0];
  assert.equal(cs?.ready, true);
  assert.equal(cs?.started, true);
  assert.ok(cs?.state?.running?.startedAt);
  assert.match(cs?.containerID ?? '', /^hollow:\/\//);
  const text = await getMetrics('127.1.0.3', hollow.metricsPort);
  assert.match(
    text,
    /container_cpu_usage_seconds_total\{container="main",namespace="default",pod="runner"\}/,
  );
  assert.match(text, /^node_memory_working_set_bytes \d+/m);
});

test("the kubelet endpoint keeps idle connections 90 s, longer than the scraper's pause between scrapes", async () => {
  const agent = new Agent({ keepAlive: true });
  const keepAlive = await new Promise<unknown>((resolve, reject) => {
    const req = request(
      { host: '127.1.0.1', port: hollow.metricsPort, path: '/metrics/resource', agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['keep-alive']));
      },
    );
    req.on('error', reject);
    req.end();
  }).finally(() => agent.destroy());
  // A Node client keeps the socket one second less than the hint; the scraper's own limit is 70 s.
  assert.equal(keepAlive, 'timeout=90');
});

test('true succeeds, false fails, run-seconds succeeds', async () => {
  const pods = client.resource<Pod>(R.pods);
  await pods.create(
    pod('ok', 'hollow-node-0', {
      restartPolicy: 'Never',
      containers: [{ name: 'c', image: 'busybox', command: ['true'] }],
    }),
  );
  await pods.create(
    pod('bad', 'hollow-node-0', {
      restartPolicy: 'Never',
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 1'] }],
    }),
  );
  await pods.create(
    pod('timed', 'hollow-node-1', { restartPolicy: 'Never' }, { 'hollow.tugboat.dev/run-seconds': '1' }),
  );
  const ok = await waitFor(async () => {
    const p = await pods.get('default', 'ok');
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const bad = await waitFor(async () => {
    const p = await pods.get('default', 'bad');
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  await waitFor(async () => (await pods.get('default', 'timed')).status?.phase === 'Succeeded');
});

test('a failing container under restartPolicy Always crash-loops instead of failing the pod', async () => {
  const pods = client.resource<Pod>(R.pods);
  await pods.create(
    pod('looper', 'hollow-node-1', { containers: [{ name: 'c', image: 'busybox', command: ['false'] }] }),
  );
  const looping = await waitFor(async () => {
    const p = await pods.get('default', 'looper');
    return p.status?.containerStatuses?.[0]?.state?.waiting ? p : undefined;
  });
  const cs = looping.status?.containerStatuses?.[0];
  assert.equal(looping.status?.phase, 'Running');
  assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs?.restartCount, 1);
  assert.equal(cs?.lastState?.terminated?.exitCode, 1);
  assert.equal(cs?.ready, false);
});

test('graceful deletion is confirmed', async () => {
  const pods = client.resource<Pod>(R.pods);
  await pods.create(pod('doomed', 'hollow-node-1'));
  await waitFor(async () => (await pods.get('default', 'doomed')).status?.phase === 'Running');
  await pods.delete('default', 'doomed', { gracePeriodSeconds: 30 });
  await waitFor(
    async () => {
      try {
        await pods.get('default', 'doomed');
        return false;
      } catch {
        return true;
      }
    },
    { message: 'pod gone' },
  );
});

test('a Ready condition changed by someone else is reported again at once', async () => {
  const nodes = client.resource<Node>(R.nodes);
  await nodes.patch(
    '',
    'hollow-node-0',
    'strategic',
    { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } },
    { subresource: 'status' },
  );
  await waitFor(
    async () => {
      const n = await nodes.get('', 'hollow-node-0');
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    },
    { message: 'Ready again' },
  );
});

test("a pod's readiness changed by someone else is reported again", async () => {
  const pods = client.resource<Pod>(R.pods);
  await pods.create(pod('marked', 'hollow-node-1'));
  const readyOf = async (): Promise<string | undefined> =>
    (await pods.get('default', 'marked')).status?.conditions?.find((c) => c.type === 'Ready')?.status;
  await waitFor(async () => (await readyOf()) === 'True', { message: 'Ready' });
  // As the node lifecycle controller does to the pods of a node that went silent.
  await pods.patch(
    'default',
    'marked',
    'strategic',
    { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady' }] } },
    { subresource: 'status' },
  );
  await waitFor(async () => (await readyOf()) === 'True', { message: 'Ready again' });
});

test('stop marks the nodes NotReady', async () => {
  await hollow.stop();
  const nodes = await client.resource<Node>(R.nodes).list();
  for (const n of nodes.items) {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False', n.metadata?.name);
    assert.equal(ready?.reason, 'KubeletNotReady');
  }
});
