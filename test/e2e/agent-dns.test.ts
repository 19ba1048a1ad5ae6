/**
 * Cluster DNS end to end: `tugboat server` with its agent serves the cluster domain on the node's pod-network
 * gateway, and a real busybox pod on the CNI bridge resolves services through it (busybox's nslookup) with the
 * resolv.conf the kubelet wrote. Needs root, runc or crun, conmon, the CNI plugins and TUGBOAT_TEST_REGISTRY
 * (.ci/run provides all of them). Only names inside the cluster domain are asked: no query leaves the machine.
 * The kube-dns Service's cluster IP leads to the same server through the service proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import dnsPacket from 'dns-packet';
import { kubeDnsClusterIp } from '../../src/controllers/clusterdns/index.js';
import { udpQuery } from '../../src/dns/testing.js';
import { firstHostAddress, parseCidr } from '../../src/util/cidr.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-dns-${process.pid}`;

const skip = agentMissing();
if (skip) console.log(`# cluster DNS e2e skipped: ${skip}`);

void describe('cluster DNS on the node', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  let gateway: string;
  let kubernetesIp: string;

  async function ok(...args: string[]): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }
  /** Runs a command in the probe pod; its output, whatever its exit code (nslookup fails for NXDOMAIN). */
  async function inPod(...command: string[]): Promise<string> {
    const r = await s.kubectl(['exec', 'probe', '--', ...command], { timeoutMs: 60_000 });
    return r.stdout + r.stderr;
  }

  before(async () => {
    s = await startAgentServer(NODE);
    const node = JSON.parse(await ok('get', 'node', NODE, '-o', 'json')) as Node;
    gateway = firstHostAddress(parseCidr(node.spec?.podCIDR ?? ''));
    const svc = JSON.parse(await ok('get', 'service', 'kubernetes', '-o', 'json')) as Service;
    kubernetesIp = svc.spec?.clusterIP ?? '';
  });

  after(() => stopAgentServer(s));

  test('the agent serves the cluster domain on its pod network gateway', async () => {
    await waitFor(() => s.output().includes('cluster DNS serving'), {
      timeoutMs: 10_000,
      message: 'the agent logs its DNS server',
    });
    const r = await udpQuery(
      53,
      {
        type: 'query',
        id: 1,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: 'kubernetes.default.svc.cluster.local', type: 'A' }],
      },
      3000,
      gateway,
    );
    assert.deepEqual(
      r.answers?.map((a) => a.type === 'A' && a.data),
      [kubernetesIp],
    );
  });

  test('a busybox pod resolves services through it with the resolv.conf the kubelet wrote', async () => {
    await ok(
      'run',
      'probe',
      `--image=${registry}/tugboat-test/busybox:latest`,
      '--command',
      '--',
      'sleep',
      '3600',
    );
    try {
      await waitFor(
        async () =>
          (JSON.parse(await ok('get', 'pod', 'probe', '-o', 'json')) as Pod).status?.phase === 'Running',
        { timeoutMs: 90_000, message: 'probe Running' },
      );
    } catch (err) {
      const described = await s.kubectl(['describe', 'pod', 'probe']);
      throw new Error(
        `${(err as Error).message}\n${described.stdout}\nserver output:\n${s.output().slice(-4000)}`,
      );
    }
    const resolvConf = await inPod('cat', '/etc/resolv.conf');
    assert.match(resolvConf, new RegExp(`^nameserver ${gateway.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(resolvConf, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    assert.match(resolvConf, /^options ndots:5$/m);

    const kubernetes = await inPod('nslookup', 'kubernetes.default.svc.cluster.local');
    assert.match(kubernetes, new RegExp(`Server:\\s+${gateway.replace(/\./g, '\\.')}`), kubernetes);
    assert.match(kubernetes, new RegExp(`Address:?\\s+${kubernetesIp.replace(/\./g, '\\.')}\\b`), kubernetes);

    await ok('create', 'service', 'clusterip', 'web', '--tcp=80:8080');
    const web = JSON.parse(await ok('get', 'service', 'web', '-o', 'json')) as Service;
    const webIp = web.spec?.clusterIP ?? '';
    const found = await waitFor(
      async () => {
        const out = await inPod('nslookup', 'web.default.svc.cluster.local');
        return out.includes(webIp) ? out : undefined;
      },
      { timeoutMs: 15_000, message: 'the new service resolves in the pod' },
    );
    assert.match(found, new RegExp(`Address:?\\s+${webIp.replace(/\./g, '\\.')}\\b`));

    await ok('delete', 'service', 'web');
    await waitFor(async () => /NXDOMAIN/.test(await inPod('nslookup', 'web.default.svc.cluster.local')), {
      timeoutMs: 15_000,
      message: 'the deleted service is NXDOMAIN in the pod',
    });
  });

  test('kube-system/kube-dns is the conventional address in front of the node DNS, reachable from a pod', async () => {
    const dnsIp = kubeDnsClusterIp(kubernetesIp);
    const svc = await waitFor(
      async () => {
        const r = await s.kubectl(['-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'json']);
        return r.code === 0 ? (JSON.parse(r.stdout) as Service) : undefined;
      },
      { timeoutMs: 20_000, message: 'the kube-dns Service exists' },
    );
    assert.equal(svc.spec?.clusterIP, dnsIp);
    const slices = await ok(
      '-n',
      'kube-system',
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'json',
    );
    const endpoints = (JSON.parse(slices) as { items: EndpointSlice[] }).items.flatMap(
      (sl) => sl.endpoints ?? [],
    );
    assert.deepEqual(
      endpoints.map((e) => [e.addresses[0], e.nodeName, e.conditions?.ready]),
      [[gateway, NODE, true]],
    );
    // Through the service proxy's rules for the cluster IP.
    const answer = await waitFor(
      async () => {
        const out = await inPod('nslookup', 'kubernetes.default.svc.cluster.local', dnsIp);
        return new RegExp(`Address:?\\s+${kubernetesIp.replace(/\./g, '\\.')}\\b`).test(out)
          ? out
          : undefined;
      },
      { timeoutMs: 20_000, message: `kubernetes.default resolves through ${dnsIp}` },
    );
    assert.match(answer, new RegExp(`Server:\\s+${dnsIp.replace(/\./g, '\\.')}`));
  });
});
