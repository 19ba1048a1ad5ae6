/**
 * Service endpoints as users see them: a Deployment of hollow pods exposed with kubectl, its Endpoints from
 * `kubectl get endpoints` and the EndpointSlice-backed `Endpoints:` line of `kubectl describe service`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { startHollowNodes, type HollowNodesProcess } from '../helpers/hollow.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let hollow: HollowNodesProcess | undefined;
const ns = ['-n', 'endpoints'];

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  hollow = startHollowNodes(s.kubeconfig, 1, 'ep-');
  await waitFor(
    async () =>
      (
        await ok('get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')
      ).trim() === 'True',
    { timeoutMs: 60_000, message: 'a Ready hollow node' },
  );
  await ok('create', 'namespace', 'endpoints');
});

after(async () => {
  await hollow?.stop();
  await s?.stop();
});

test('kubectl expose: get endpoints and describe service list the pod IPs with the target port', async () => {
  await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=8080', ...ns);
  await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=90s');
  await ok('expose', 'deployment', 'web', '--port=80', '--target-port=8080', ...ns);
  const podList = JSON.parse(await ok('get', 'pods', ...ns, '-l', 'app=web', '-o', 'json')) as {
    items: Pod[];
  };
  const expected = podList.items.map((p) => `${p.status?.podIP ?? '?'}:8080`).sort();
  assert.equal(expected.length, 2);

  const listed = (text: string): string[] => (text.match(/\d+\.\d+\.\d+\.\d+:\d+/g) ?? []).sort();
  const table = await waitFor(
    async () => {
      const out = await ok('get', 'endpoints', 'web', ...ns);
      return listed(out).join() === expected.join() ? out : undefined;
    },
    { timeoutMs: 30_000, message: 'kubectl get endpoints web lists both pods' },
  );
  assert.match(table, /^NAME\s+ENDPOINTS\s+AGE/);

  const described = await waitFor(
    async () => {
      const out = await ok('describe', 'service', 'web', ...ns);
      const line = out.split('\n').find((l) => l.startsWith('Endpoints:')) ?? '';
      return listed(line).join() === expected.join() ? out : undefined;
    },
    { timeoutMs: 30_000, message: 'kubectl describe service web shows the endpoints' },
  );
  assert.match(described, /^Selector:\s+app=web$/m);

  const slices = await ok('get', 'endpointslices', ...ns, '-l', 'kubernetes.io/service-name=web');
  assert.match(slices, /^web-\S+\s+IPv4\s+8080\s+/m);

  // Scaled down to one: both views follow.
  await ok('scale', 'deployment', 'web', '--replicas=1', ...ns);
  await waitFor(async () => listed(await ok('get', 'endpoints', 'web', ...ns)).length === 1, {
    timeoutMs: 30_000,
    message: 'one endpoint after scaling down',
  });
  await waitFor(
    async () => {
      const line = (await ok('describe', 'service', 'web', ...ns))
        .split('\n')
        .find((l) => l.startsWith('Endpoints:'));
      return listed(line ?? '').length === 1;
    },
    { timeoutMs: 30_000, message: 'describe shows one endpoint after scaling down' },
  );
});

test("kubectl expose --type=LoadBalancer: the node's address is the EXTERNAL-IP", async () => {
  const nodeIP = (
    await ok('get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}')
  ).trim();
  assert.match(nodeIP, /^\d+\.\d+\.\d+\.\d+$/);
  await ok('expose', 'deployment', 'web', '--name=web-lb', '--type=LoadBalancer', '--port=8081', ...ns);
  const table = await waitFor(
    async () => {
      const out = await ok('get', 'service', 'web-lb', ...ns);
      return out.includes(nodeIP) ? out : undefined;
    },
    { timeoutMs: 30_000, message: `web-lb's EXTERNAL-IP is ${nodeIP}` },
  );
  assert.match(
    table,
    new RegExp(`^web-lb\\s+LoadBalancer\\s+\\S+\\s+${nodeIP.replace(/\./g, '\\.')}\\s+8081:3\\d{4}/TCP`, 'm'),
  );
  const described = await ok('describe', 'service', 'web-lb', ...ns);
  assert.match(
    described,
    new RegExp(`^LoadBalancer Ingress:\\s+${nodeIP.replace(/\./g, '\\.')} \\(VIP\\)$`, 'm'),
  );
});

test('--disable-servicelb leaves LoadBalancer Services pending', async () => {
  const other = await startServerProcess({ datastoreEndpoint: 'memory://', args: ['--disable-servicelb'] });
  try {
    const run = async (args: string[], input?: string): Promise<string> => {
      const r = await other.kubectl(args, { timeoutMs: 60_000, ...(input ? { input } : {}) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
      return r.stdout;
    };
    await run(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'lb-node' } }),
    );
    const status = {
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.9.9.9' }],
      },
    };
    await run([
      'patch',
      'node',
      'lb-node',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    await run(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080']);
    // The controllers are up (the Deployment got its ReplicaSet), and have seen the Service for a while.
    await run(['create', 'deployment', 'd', '--image=nginx']);
    await waitFor(async () => (await run(['get', 'rs', '-l', 'app=d', '-o', 'name'])).trim() !== '', {
      timeoutMs: 30_000,
      message: 'the ReplicaSet of d',
    });
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await run(['get', 'service', 'lb', '-o', 'jsonpath={.status.loadBalancer.ingress}']), '');
    assert.match(await run(['get', 'service', 'lb']), /^lb\s+LoadBalancer\s+\S+\s+<pending>\s+80:/m);
  } finally {
    await other.stop();
  }
});
