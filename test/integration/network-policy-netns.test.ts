/**
 * NetworkPolicy for real: the agent's rules written by iptables-restore inside a "node" network namespace, Pods
 * and NetworkPolicies in a real API server, TCP between pod namespaces on the node's bridge allowed or dropped.
 * Needs root; skips with the reason otherwise. Everything lives in namespaces the test makes and deletes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { ApiClient, R } from '../../src/client/index.js';
import { cleanupNetworkPolicyRules, NetworkPolicyAgent } from '../../src/netpol/index.js';
import { netnsRunner } from '../../src/proxy/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { labMissing, POD_PORT, ServiceLab } from '../helpers/service-lab.js';

const missing = labMissing();
if (missing) console.log(`# network policy netns tests skipped: ${missing}`);

const PODS: Record<string, { ip: string; labels: Record<string, string> }> = {
  a: { ip: '10.244.1.2', labels: { app: 'a' } },
  b: { ip: '10.244.1.3', labels: { app: 'b' } },
  c: { ip: '10.244.1.4', labels: { app: 'c', role: 'client' } },
};

void describe('network policy in network namespaces', { skip: missing ?? false }, () => {
  let server: TestServer;
  let client: ApiClient;
  let lab: ServiceLab;
  let agent: NetworkPolicyAgent;

  before(async () => {
    server = await startTestServer();
    client = new ApiClient({ server: server.url });
    lab = new ServiceLab(`tbnp${process.pid}`);
    lab.create();
    for (const [name, p] of Object.entries(PODS)) {
      lab.addPod(name, p.ip);
      const created = await client.resource<Pod>(R.pods).create({
        metadata: { name, namespace: 'default', labels: p.labels },
        spec: {
          nodeName: 'node-a',
          containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: POD_PORT }] }],
        },
      });
      await client
        .resource<Pod>(R.pods)
        .updateStatus({ ...created, status: { phase: 'Running', podIP: p.ip } });
    }
    await Promise.all(['a', 'b', 'c'].map((pod) => lab.startServer(pod)));
    agent = new NetworkPolicyAgent({
      client,
      nodeName: 'node-a',
      runner: netnsRunner(lab.netnsPath(lab.node)),
      minSyncPeriodMs: 50,
    });
    await agent.start();
  });

  after(async () => {
    await agent?.stop();
    await lab?.remove();
    client?.close();
    await server?.close();
    assert.deepEqual(lab?.leftovers() ?? [], [], 'every namespace of the test is gone');
  });

  const pod = (name: string) => lab.pods.get(name)!.netns;
  const policies = () => client.resource<NetworkPolicy>(R.networkPolicies);
  const reach = async (from: string, to: string, port = POD_PORT) =>
    (await lab.connect(pod(from), PODS[to]!.ip, port))[0];
  const chainsFor = (text: string) => waitFor(() => lab.save('filter').includes(text), { message: text });

  void test('without policies every pod reaches every other', async () => {
    await waitFor(() =>
      lab.save('filter').includes('-A FORWARD -m comment --comment "tugboat network policies"'),
    );
    assert.equal(await reach('c', 'a'), 'a');
    assert.equal(await reach('b', 'a'), 'a');
  });

  void test('an ingress policy admits its peers and drops the rest; replies pass', async () => {
    await policies().create({
      metadata: { name: 'a-from-clients', namespace: 'default' },
      spec: {
        podSelector: { matchLabels: { app: 'a' } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] },
        ],
      },
    });
    await chainsFor('default/a ingress not allowed');
    assert.equal(await reach('c', 'a'), 'a', 'a client, on the named port');
    assert.equal(await reach('b', 'a'), 'ERR:TIMEOUT', 'not a client');
    assert.equal(await reach('a', 'b'), 'b', 'a itself is not isolated for egress');
  });

  void test('an egress policy limits where its pods may connect: an ipBlock with an exception', async () => {
    await policies().create({
      metadata: { name: 'c-out', namespace: 'default' },
      spec: {
        podSelector: { matchLabels: { role: 'client' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24', except: ['10.244.1.3/32'] } }] }],
      },
    });
    await chainsFor('default/c egress not allowed');
    assert.equal(await reach('c', 'a'), 'a');
    assert.equal(await reach('c', 'b'), 'ERR:TIMEOUT', 'b is the exception');
  });

  void test('deleting the policies lifts the isolation; cleanup removes every chain and jump', async () => {
    await policies().delete('default', 'a-from-clients');
    await policies().delete('default', 'c-out');
    await waitFor(
      () => !lab.save('filter').includes('TUGBOAT-NPI-') && !lab.save('filter').includes('TUGBOAT-NPE-'),
      {
        message: 'the pod chains are gone',
      },
    );
    assert.equal(await reach('b', 'a'), 'a');
    assert.equal(await reach('c', 'b'), 'b');
    await agent.stop();
    await cleanupNetworkPolicyRules(netnsRunner(lab.netnsPath(lab.node)));
    assert.ok(!lab.save('filter').includes('TUGBOAT'), lab.save('filter'));
  });
});
