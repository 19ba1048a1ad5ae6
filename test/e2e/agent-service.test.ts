/**
 * Services through the agent's service proxy on this host: a NodePort Service over two real pods (its
 * EndpointSlice written by the test), reached on its cluster IP and node port from the host and from a pod;
 * the proxy's chains are gone from the host afterwards. Needs what the agent e2e tests need, and iptables.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import {
  agentMissing,
  iptablesSave,
  podHttpGet,
  startAgentServer,
  stopAgentServer,
} from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-svc-${process.pid}`;

const skip = agentMissing(['iptables-restore']);
if (skip) console.log(`# agent service e2e skipped: ${skip}`);

/** A loopback port free now, for the proxy's /healthz. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

void describe('services through the agent', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  let healthzPort: number;

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input ? { input } : {}) });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    healthzPort = await freePort();
    s = await startAgentServer(NODE, {
      extraArgs: ['--kube-proxy-healthz-bind-address', `127.0.0.1:${healthzPort}`],
    });
  });

  after(async () => {
    await stopAgentServer(s);
    assert.ok(!iptablesSave().includes('KUBE-'), 'no proxy chains left on the host');
    assert.ok(!iptablesSave().includes('TUGBOAT-NETPOL'), 'no network policy chains left on the host');
  });

  test('a NodePort service reaches its pods on the cluster IP and the node port, from the host and a pod', async () => {
    await ok([
      'create',
      'deployment',
      'web',
      `--image=${registry}/tugboat-test/busybox:latest`,
      '--replicas=2',
    ]);
    const pods = await waitFor(
      async () => {
        const list = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: Pod[] };
        const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
        return running.length === 2 ? running : undefined;
      },
      { timeoutMs: 90_000, message: 'two web pods Running' },
    );
    // No selector: the test writes the EndpointSlice itself.
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: 'default' },
            spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
          },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: {
              name: 'web-1',
              namespace: 'default',
              labels: { 'kubernetes.io/service-name': 'web' },
            },
            addressType: 'IPv4',
            endpoints: pods.map((p) => ({
              addresses: [p.status!.podIP!],
              conditions: { ready: true },
              nodeName: NODE,
            })),
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
        ],
      }),
    );
    const svc = JSON.parse(await ok(['get', 'service', 'web', '-o', 'json'])) as Service;
    const clusterIP = svc.spec?.clusterIP ?? '';
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    const node = JSON.parse(await ok(['get', 'node', NODE, '-o', 'json'])) as Node;
    const nodeIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';

    // Nothing is sent to the cluster IP before its rules exist: it would leave the machine by the default route.
    await waitFor(
      () => {
        const nat = iptablesSave();
        return (
          nat.includes(`-d ${clusterIP}/32`) &&
          pods.every((p) => nat.includes(`DNAT --to-destination ${p.status?.podIP}:8080`))
        );
      },
      { timeoutMs: 20_000, message: 'the proxy wrote the rules of the service' },
    );
    assert.match(
      await podHttpGet(clusterIP, 80),
      /tugboat-test busybox/,
      `http://${clusterIP}/ from the host`,
    );
    assert.match(
      await podHttpGet(nodeIP, nodePort),
      /tugboat-test busybox/,
      `node port ${nodeIP}:${nodePort}`,
    );
    assert.match(
      await podHttpGet('127.0.0.1', nodePort),
      /tugboat-test busybox/,
      `node port on localhost, 127.0.0.1:${nodePort}`,
    );
    // From a pod (sometimes to itself: hairpin); busybox's wget -T segfaults, so `timeout` bounds it.
    const name = pods[0]!.metadata!.name!;
    for (let i = 0; i < 4; i++) {
      const out = await ok([
        'exec',
        name,
        '--',
        'timeout',
        '5',
        'wget',
        '-q',
        '-O',
        '-',
        `http://${clusterIP}/`,
      ]);
      assert.match(out, /tugboat-test busybox/);
    }
    assert.match(iptablesSave(), /-A PREROUTING .*-j KUBE-SERVICES/);
  });

  test('a NetworkPolicy admits only the pods it names; a label change lets a pod in', async () => {
    const list = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: Pod[] };
    const [from, to] = list.items.filter((p) => p.status?.phase === 'Running');
    assert.ok(from && to, 'the two web pods of the first test');
    const fetch = async (): Promise<boolean> => {
      const r = await s.kubectl(
        [
          'exec',
          from.metadata!.name!,
          '--',
          'timeout',
          '3',
          'wget',
          '-q',
          '-O',
          '-',
          `http://${to.status!.podIP}:8080/`,
        ],
        { timeoutMs: 30_000 },
      );
      return r.code === 0 && r.stdout.includes('tugboat-test busybox');
    };
    assert.equal(await fetch(), true, 'no policy yet');
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'web-from-clients', namespace: 'default' },
        spec: {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }],
        },
      }),
    );
    await waitFor(async () => !(await fetch()), {
      timeoutMs: 30_000,
      message: 'the policy drops web to web',
    });
    await ok(['label', 'pod', from.metadata!.name!, 'role=client']);
    await waitFor(fetch, { timeoutMs: 30_000, message: 'a client is let in' });
    await ok(['delete', 'networkpolicy', 'web-from-clients']);
    await ok(['label', 'pod', from.metadata!.name!, 'role-']);
    await waitFor(fetch, { timeoutMs: 30_000, message: 'without the policy everyone is' });
  });

  test("a LoadBalancer service gets the node's address as its EXTERNAL-IP and serves there", async () => {
    // The web pods of the test above; this Service has a selector, so the server's controllers keep its slices.
    await ok([
      'expose',
      'deployment',
      'web',
      '--name=web-lb',
      '--type=LoadBalancer',
      '--port=18080',
      '--target-port=8080',
    ]);
    const node = JSON.parse(await ok(['get', 'node', NODE, '-o', 'json'])) as Node;
    const nodeIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    await waitFor(
      async () =>
        (await ok(['get', 'service', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])) ===
        nodeIP,
      { timeoutMs: 20_000, message: `web-lb's ingress is ${nodeIP}` },
    );
    assert.match(
      await ok(['get', 'service', 'web-lb']),
      new RegExp(`web-lb\\s+LoadBalancer\\s+\\S+\\s+${nodeIP.replace(/\./g, '\\.')}\\s+18080:`),
    );
    const body = await waitFor(() => podHttpGet(nodeIP, 18080).catch(() => undefined), {
      timeoutMs: 20_000,
      message: `http://${nodeIP}:18080/ answers`,
    });
    assert.match(body, /tugboat-test busybox/);
    await ok(['delete', 'service', 'web-lb']);
  });

  test('externalTrafficPolicy Local: the node answers the health check port with its ready endpoints', async () => {
    await ok([
      'expose',
      'deployment',
      'web',
      '--name=web-local',
      '--type=LoadBalancer',
      '--port=18081',
      '--target-port=8080',
    ]);
    // Moving to Local on an update allocates the port, as upstream.
    await ok(['patch', 'service', 'web-local', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}']);
    const port = Number(
      await ok(['get', 'service', 'web-local', '-o', 'jsonpath={.spec.healthCheckNodePort}']),
    );
    assert.ok(port >= 30000 && port <= 32767, `healthCheckNodePort ${port}`);
    const answer = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        return res?.status === 200 ? await res.json() : undefined;
      },
      { timeoutMs: 20_000, message: `the health check on port ${port} answers 200` },
    );
    // Both web pods run on this node.
    assert.deepEqual(answer, {
      service: { namespace: 'default', name: 'web-local' },
      localEndpoints: 2,
      serviceProxyHealthy: true,
    });
    await ok(['delete', 'service', 'web-local']);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => 'closed')) === 'closed', {
      timeoutMs: 20_000,
      message: 'the health check port closed with the Service',
    });
  });

  test("the proxy's /healthz answers 200 while its rules are current, 503 once the autoscaler marks the node", async () => {
    const probe = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`http://127.0.0.1:${healthzPort}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const healthy = await waitFor(
      async () => {
        const r = await probe('/healthz').catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      { timeoutMs: 20_000, message: '/healthz answers 200' },
    );
    assert.equal(healthy.body.nodeEligible, true);
    assert.equal(healthy.body.lastUpdated, healthy.body.currentTime);
    await ok(['taint', 'node', NODE, 'ToBeDeletedByClusterAutoscaler=1733565600:NoSchedule']);
    try {
      const draining = await waitFor(
        async () => {
          const r = await probe('/healthz');
          return r.status === 503 ? r : undefined;
        },
        { timeoutMs: 20_000, message: '/healthz answers 503 for a node being removed' },
      );
      assert.equal(draining.body.nodeEligible, false);
      assert.equal((await probe('/livez')).status, 200, '/livez leaves the node out');
    } finally {
      await ok(['taint', 'node', NODE, 'ToBeDeletedByClusterAutoscaler-']);
    }
    await waitFor(async () => (await probe('/healthz')).status === 200, {
      timeoutMs: 20_000,
      message: '/healthz answers 200 again',
    });
  });
});
