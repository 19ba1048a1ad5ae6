/**
 * The service proxy for real: its rules written by iptables-restore inside a "node" network namespace (via
 * the command runner), Services and EndpointSlices created through a real API server, and TCP/UDP traffic
 * from the node, from pods on the node's bridge and from outside reaching (or not) the pods' servers.
 * Needs root; skips with the reason otherwise. Everything lives in namespaces the test makes and deletes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ApiClient, R } from '../../src/client/index.js';
import { cleanupServiceProxyRules, netnsRunner, ServiceProxy } from '../../src/proxy/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { labMissing, NODE_ADDRESS, POD_PORT, ServiceLab } from '../helpers/service-lab.js';

const missing = labMissing();
if (missing) console.log(`# service proxy netns tests skipped: ${missing}`);
const noConntrack =
  spawnSync('sh', ['-c', 'command -v conntrack']).status === 0
    ? false
    : 'conntrack missing (apt-get install conntrack)';
if (!missing && noConntrack) console.log(`# the UDP conntrack test is skipped: ${noConntrack}`);

const POD_IPS: Record<string, string> = { a: '10.244.1.2', b: '10.244.1.3', c: '10.244.1.4' };

void describe('service proxy in network namespaces', { skip: missing ?? false }, () => {
  let server: TestServer;
  let client: ApiClient;
  let lab: ServiceLab;
  let proxy: ServiceProxy;

  before(async () => {
    server = await startTestServer();
    client = new ApiClient({ server: server.url });
    lab = new ServiceLab(`tbpx${process.pid}`);
    lab.create();
    for (const [pod, ip] of Object.entries(POD_IPS)) lab.addPod(pod, ip);
    await Promise.all(['a', 'b'].map((pod) => lab.startServer(pod)));
    // New namespaces may start with these on; turn them off so the tests see the proxy set them.
    assert.equal(lab.sysctl('net.ipv4.ip_forward', '0'), '0');
    assert.equal(lab.sysctl('net.bridge.bridge-nf-call-iptables', '0'), '0');
    assert.equal(lab.sysctl('net.ipv4.conf.all.route_localnet', '0'), '0');
    proxy = new ServiceProxy({
      client,
      nodeName: 'node-a',
      clusterCidr: '10.244.0.0/16',
      runner: netnsRunner(lab.netnsPath(lab.node)),
      nodeIP: NODE_ADDRESS,
      minSyncPeriodMs: 50,
    });
    await proxy.start();
  });

  after(async () => {
    await proxy?.stop();
    await lab?.remove();
    client?.close();
    await server?.close();
    assert.deepEqual(lab?.leftovers() ?? [], [], 'every namespace of the test is gone');
  });

  const services = () => client.resource<Service>(R.services);
  const slices = () => client.resource<EndpointSlice>(R.endpointSlices);
  const node = () => lab.node;
  const pod = (name: string) => lab.pods.get(name)!.netns;

  async function createService(name: string, spec: Partial<ServiceSpec> = {}): Promise<Service> {
    return services().create({
      metadata: { name, namespace: 'default' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: POD_PORT }], ...spec },
    });
  }

  /** Creates or replaces the service's one slice with these pods as ready endpoints. */
  async function setEndpoints(service: string, pods: string[], protocols: ('TCP' | 'UDP')[] = ['TCP']) {
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service}-x`,
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': service },
      },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({
        addresses: [POD_IPS[p]!],
        conditions: { ready: true },
        nodeName: 'node-a',
      })),
      ports: protocols.map((protocol) => ({
        name: protocol === 'TCP' ? 'http' : 'dns',
        port: POD_PORT,
        protocol,
      })),
    };
    const existing = await slices()
      .get('default', slice.metadata!.name!)
      .catch(() => undefined);
    if (existing) await slices().update({ ...slice, metadata: existing.metadata! });
    else await slices().create(slice);
  }

  /** Waits until the node's nat table DNATs the service's port to exactly these pods. */
  async function rulesFor(service: string, pods: string[], port = 'http'): Promise<void> {
    await waitFor(
      () => {
        const nat = lab.save('nat');
        const dnats = nat
          .split('\n')
          .filter((l) => l.includes(`"default/${service}:${port}"`) && l.includes('-j DNAT'))
          .map((l) => / --to-destination (\S+)/.exec(l)?.[1]);
        const want = pods.map((p) => `${POD_IPS[p]}:${POD_PORT}`);
        return dnats.length === want.length && want.every((w) => dnats.includes(w));
      },
      { timeoutMs: 10_000, message: `rules of ${service} → ${pods.join(',')}` },
    );
  }

  const ipOf = (svc: Service): string => svc.spec?.clusterIP ?? '';

  void test('a cluster IP reaches its endpoint over TCP and UDP, from the node and from another pod', async () => {
    const svc = await createService('one', {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: POD_PORT },
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: POD_PORT },
      ],
    });
    await setEndpoints('one', ['a'], ['TCP', 'UDP']);
    await rulesFor('one', ['a']);
    await rulesFor('one', ['a'], 'dns');
    assert.deepEqual(await lab.connect(node(), ipOf(svc), 80, 3), ['a', 'a', 'a']);
    // Pod to pod through the service: the reply crosses the bridge and needs bridge-nf-call-iptables.
    assert.deepEqual(await lab.connect(pod('c'), ipOf(svc), 80, 3), ['a', 'a', 'a']);
    assert.deepEqual(await lab.connect(pod('c'), ipOf(svc), 53, 2, 'udp'), ['a', 'a']);
    assert.equal(lab.sysctl('net.ipv4.ip_forward'), '1');
    assert.equal(lab.sysctl('net.bridge.bridge-nf-call-iptables'), '1');
  });

  void test('hairpin: a pod reaches itself through its own service', async () => {
    const svc = await services().get('default', 'one');
    assert.deepEqual(await lab.connect(pod('a'), ipOf(svc), 80, 3), ['a', 'a', 'a']);
  });

  void test('two endpoints both get connections; a removed endpoint gets none', async () => {
    const svc = await createService('two');
    await setEndpoints('two', ['a', 'b']);
    await rulesFor('two', ['a', 'b']);
    const answers = await lab.connect(node(), ipOf(svc), 80, 30);
    assert.deepEqual(new Set(answers), new Set(['a', 'b']), `30 connections: ${answers.join(' ')}`);

    await setEndpoints('two', ['b']);
    await rulesFor('two', ['b']);
    assert.deepEqual(new Set(await lab.connect(node(), ipOf(svc), 80, 15)), new Set(['b']));
  });

  void test('a service without endpoints refuses connections at once', async () => {
    const svc = await createService('none');
    await waitFor(() => lab.save('filter').includes('"default/none:http has no endpoints"'), {
      message: 'REJECT rule of the service without endpoints',
    });
    // REJECT answers with ICMP port unreachable: refused, not a timeout.
    assert.deepEqual(await lab.connect(node(), ipOf(svc), 80, 2), ['ERR:ECONNREFUSED', 'ERR:ECONNREFUSED']);
    assert.deepEqual(await lab.connect(pod('c'), ipOf(svc), 80), ['ERR:ECONNREFUSED']);

    // Endpoints appear: the REJECT goes and traffic flows.
    await setEndpoints('none', ['b']);
    await rulesFor('none', ['b']);
    assert.ok(!lab.save('filter').includes('default/none:http has no endpoints'));
    assert.deepEqual(await lab.connect(node(), ipOf(svc), 80), ['b']);
  });

  void test("a NodePort reaches the backend on the node's address, from outside and from the node", async () => {
    const svc = await createService('np', { type: 'NodePort' });
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    assert.ok(nodePort > 0);
    await setEndpoints('np', ['a']);
    await rulesFor('np', ['a']);
    assert.deepEqual(await lab.connect(lab.outside, NODE_ADDRESS, nodePort, 2), ['a', 'a']);
    assert.deepEqual(await lab.connect(node(), NODE_ADDRESS, nodePort), ['a']);
    assert.deepEqual(await lab.connect(node(), ipOf(svc), 80), ['a'], 'and its cluster IP');
  });

  void test('a NodePort answers on 127.0.0.1 of the node, as kube-proxy offers it (route_localnet)', async () => {
    const svc = await createService('np-local', { type: 'NodePort' });
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    await setEndpoints('np-local', ['b']);
    await rulesFor('np-local', ['b']);
    assert.equal(lab.sysctl('net.ipv4.conf.all.route_localnet'), '1', 'the proxy turned route_localnet on');
    assert.deepEqual(await lab.connect(node(), '127.0.0.1', nodePort, 2), ['b', 'b']);
    assert.ok(
      lab.save('filter').includes('-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8'),
      'packets from the network to 127.0.0.0/8 are dropped',
    );
  });

  void test(
    'UDP: a flow to a removed endpoint, or sent before there were endpoints, is balanced afresh',
    { skip: noConntrack },
    async () => {
      const udp = { ports: [{ name: 'dns', port: 53, protocol: 'UDP' as const, targetPort: POD_PORT }] };
      const moving = await createService('udp-moving', udp);
      await setEndpoints('udp-moving', ['a'], ['UDP']);
      await rulesFor('udp-moving', ['a'], 'dns');
      // One client flow (a fixed source port), as a resolver's: conntrack keeps it on its endpoint.
      assert.deepEqual(await lab.connect(pod('c'), ipOf(moving), 53, 2, 'udp', 40053), ['a', 'a']);
      await setEndpoints('udp-moving', ['b'], ['UDP']);
      await rulesFor('udp-moving', ['b'], 'dns');
      // a still answers on its address: without the cleanup the flow would stay there until it idles out.
      await waitFor(async () => (await lab.connect(pod('c'), ipOf(moving), 53, 1, 'udp', 40053))[0] === 'b', {
        timeoutMs: 10_000,
        message: 'the flow moved to b',
      });

      const late = await createService('udp-late', udp);
      await waitFor(() => lab.save('filter').includes('"default/udp-late:dns has no endpoints"'));
      assert.deepEqual(await lab.connect(pod('c'), ipOf(late), 53, 1, 'udp', 40054), ['ERR:TIMEOUT']);
      await setEndpoints('udp-late', ['a'], ['UDP']);
      await rulesFor('udp-late', ['a'], 'dns');
      await waitFor(async () => (await lab.connect(pod('c'), ipOf(late), 53, 1, 'udp', 40054))[0] === 'a', {
        timeoutMs: 10_000,
        message: 'the flow that was never DNATed reaches a',
      });
    },
  );

  void test('a load-balancer IP the node holds reaches the backend; source ranges keep other clients out', async () => {
    const created = await createService('lb', { type: 'LoadBalancer' });
    const svc = await services().updateStatus({
      ...created,
      status: { loadBalancer: { ingress: [{ ip: NODE_ADDRESS, ipMode: 'VIP' }] } },
    });
    await setEndpoints('lb', ['a']);
    await rulesFor('lb', ['a']);
    await waitFor(() =>
      lab
        .save('nat')
        .split('\n')
        .some((l) => l.includes('"default/lb:http loadbalancer IP"') && l.includes(`-d ${NODE_ADDRESS}/32`)),
    );
    assert.deepEqual(await lab.connect(lab.outside, NODE_ADDRESS, 80, 2), ['a', 'a']);
    assert.deepEqual(await lab.connect(node(), NODE_ADDRESS, 80), ['a'], 'from the node itself');

    // Only 203.0.113.0/24 (not the outside namespace's address) and the node's own range may connect.
    await services().update({
      ...svc,
      spec: { ...svc.spec!, loadBalancerSourceRanges: ['203.0.113.0/24'] },
    });
    await waitFor(() => lab.save('filter').includes('"default/lb:http traffic not accepted by KUBE-FW-'));
    assert.deepEqual(await lab.connect(lab.outside, NODE_ADDRESS, 80), ['ERR:TIMEOUT'], 'dropped');
    const current = await services().get('default', 'lb');
    await services().update({
      ...current,
      spec: { ...current.spec!, loadBalancerSourceRanges: ['203.0.113.0/24', `${NODE_ADDRESS}/24`] },
    });
    await waitFor(() => lab.save('nat').includes(`-s ${NODE_ADDRESS.replace(/\.\d+$/, '.0')}/24`));
    assert.deepEqual(await lab.connect(lab.outside, NODE_ADDRESS, 80), ['a'], 'the outside range is let in');
    assert.deepEqual(await lab.connect(node(), NODE_ADDRESS, 80), ['a'], 'and the node, whose range it is');
  });

  void test('ClientIP affinity keeps each client on one endpoint', async () => {
    const svc = await createService('sticky', { sessionAffinity: 'ClientIP' });
    await setEndpoints('sticky', ['a', 'b']);
    await rulesFor('sticky', ['a', 'b']);
    for (const from of [node(), pod('c')]) {
      const answers = await lab.connect(from, ipOf(svc), 80, 15);
      assert.equal(new Set(answers).size, 1, `one endpoint for every connection: ${answers.join(' ')}`);
    }
  });

  void test('resyncs keep one copy of each jump rule; cleanup removes every chain and jump of ours', async () => {
    const syncs = proxy.syncCount;
    await createService('poke');
    await waitFor(() => lab.save('filter').includes('"default/poke:http has no endpoints"'));
    await waitFor(() => proxy.syncCount > syncs, { message: 'the sync of poke completes' });
    const nat = lab.save('nat');
    const filter = lab.save('filter');
    for (const [table, chain, target] of [
      [nat, 'PREROUTING', 'KUBE-SERVICES'],
      [nat, 'OUTPUT', 'KUBE-SERVICES'],
      [nat, 'POSTROUTING', 'KUBE-POSTROUTING'],
      [filter, 'FORWARD', 'KUBE-FORWARD'],
      [filter, 'OUTPUT', 'KUBE-SERVICES'],
      [filter, 'INPUT', 'KUBE-EXTERNAL-SERVICES'],
      [filter, 'INPUT', 'KUBE-FIREWALL'],
      [filter, 'OUTPUT', 'KUBE-FIREWALL'],
    ] as const) {
      const jumps = table
        .split('\n')
        .filter((l) => l.startsWith(`-A ${chain} `) && l.endsWith(`-j ${target}`));
      assert.equal(jumps.length, 1, `${chain} → ${target} once`);
    }

    await proxy.stop();
    assert.ok(lab.save('nat').includes('KUBE-SVC-'), 'stopping leaves the rules');
    await cleanupServiceProxyRules(netnsRunner(lab.netnsPath(lab.node)));
    assert.ok(!lab.save('nat').includes('KUBE-'), lab.save('nat'));
    assert.ok(!lab.save('filter').includes('KUBE-'), lab.save('filter'));
  });
});
