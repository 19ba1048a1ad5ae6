/**
 * The service proxy against a real API server, with iptables simulated by a recording command runner (runs
 * without root): Services and EndpointSlices created through the API become restore input, changes are
 * synced, stale chains go, jump rules are inserted once, and stopping ends the syncs.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { R, SharedInformerPool } from '../../src/client/index.js';
import { ServiceProxy, type CommandRunner } from '../../src/proxy/index.js';
import { waitFor } from '../../src/util/wait.js';
import { serverForTests } from '../helpers/api-server.js';

/** Keeps the chains and the inserted jump rules of each table, as iptables would, and records every restore. */
class FakeIptables implements CommandRunner {
  readonly commands: string[][] = [];
  /** Makes every iptables-restore fail, as a broken iptables would. */
  failRestores = false;
  readonly restores: string[] = [];
  private readonly tables = new Map<string, { chains: Set<string>; jumps: string[] }>([
    ['nat', { chains: new Set(['PREROUTING', 'OUTPUT', 'POSTROUTING']), jumps: [] }],
    ['filter', { chains: new Set(['INPUT', 'FORWARD', 'OUTPUT']), jumps: [] }],
  ]);

  run(argv: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    this.commands.push(argv);
    const ok = (stdout = ''): Promise<{ code: number; stdout: string; stderr: string }> =>
      Promise.resolve({ code: 0, stdout, stderr: '' });
    switch (argv[0]) {
      case 'iptables':
        return ok('iptables v1.8.9 (nf_tables)\n');
      case 'sysctl':
        return ok(argv[1] === '-n' ? '0\n' : '');
      case 'iptables-save': {
        const t = this.tables.get(argv[2] ?? '')!;
        return ok(
          [`*${argv[2]}`, ...[...t.chains].map((c) => `:${c} - [0:0]`), ...t.jumps, 'COMMIT', ''].join('\n'),
        );
      }
      case 'iptables-restore': {
        if (this.failRestores)
          return Promise.resolve({ code: 1, stdout: '', stderr: 'iptables-restore: broken' });
        this.restores.push(input ?? '');
        const lines = (input ?? '').split('\n');
        const t = this.tables.get(lines[0]?.slice(1) ?? '')!;
        for (const l of lines) {
          if (l.startsWith(':')) t.chains.add(l.slice(1).split(' ')[0]!);
          if (l.startsWith('-X ')) t.chains.delete(l.slice(3));
          if (l.startsWith('-I ')) t.jumps.push(l.replace(/^-I (\S+) 1 /, '-A $1 '));
        }
        return ok();
      }
      default:
        return Promise.resolve({ code: 127, stdout: '', stderr: `${argv[0]}: not found` });
    }
  }

  lastRestore(table: 'nat' | 'filter'): string {
    return this.restores.findLast((r) => r.startsWith(`*${table}\n`)) ?? '';
  }
}

const api = serverForTests();
let proxy: ServiceProxy | undefined;
after(() => proxy?.stop());

const services = () => api.client.resource<Service>(R.services);
const slices = () => api.client.resource<EndpointSlice>(R.endpointSlices);
const webSlice = (ips: string[]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

test('services and endpoint slices from the API become iptables rules, kept current', async () => {
  const svc = await services().create({
    metadata: { name: 'web', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  const clusterIP = svc.spec?.clusterIP ?? '';
  await slices().create(webSlice(['10.244.1.5', '10.244.1.6']));
  const iptables = new FakeIptables();
  proxy = new ServiceProxy({
    client: api.client,
    nodeName: 'node-a',
    clusterCidr: '10.244.0.0/16',
    runner: iptables,
    minSyncPeriodMs: 10,
  });
  await proxy.start();

  assert.ok(
    iptables.commands.some((c) => c.join(' ') === 'sysctl -w net.ipv4.ip_forward=1'),
    'forwarding turned on',
  );
  assert.ok(iptables.commands.some((c) => c.join(' ') === 'sysctl -w net.bridge.bridge-nf-call-iptables=1'));
  await waitFor(() => iptables.lastRestore('nat').includes('--to-destination 10.244.1.6:8080'), {
    message: 'DNAT to both endpoints',
  });
  const nat = iptables.lastRestore('nat');
  assert.ok(nat.includes(`-d ${clusterIP} --dport 80 -j KUBE-SVC-`));
  assert.ok(nat.includes('--to-destination 10.244.1.5:8080'));
  assert.ok(nat.includes('-j MASQUERADE --random-fully'), 'iptables 1.8.9 has --random-fully');
  assert.match(nat, /-I PREROUTING 1 .*-j KUBE-SERVICES/);
  // The API server writes the kubernetes service's EndpointSlice itself.
  assert.ok(
    nat.includes('"default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.43.0.1 --dport 443 -j KUBE-SVC-'),
  );
  assert.ok(nat.includes(`-j DNAT --to-destination 127.0.0.1:${new URL(api.server.url).port}`));
  const restoreArgs = iptables.commands.find((c) => c[0] === 'iptables-restore');
  assert.deepEqual(restoreArgs, ['iptables-restore', '--noflush', '-w', '5']);

  // One endpoint goes: its chain is deleted on the next sync; the jump rules are not inserted twice.
  await slices().update(webSlice(['10.244.1.5']));
  await waitFor(() => /-X KUBE-SEP-/.test(iptables.lastRestore('nat')), {
    message: 'stale endpoint chain deleted',
  });
  assert.ok(!iptables.lastRestore('nat').includes('10.244.1.6'));
  assert.ok(!iptables.lastRestore('nat').includes('-I '), 'jump rules already there');

  // No endpoints left: rejected in the filter table, and the service's chains are gone.
  await slices().delete('default', 'web-abc');
  await waitFor(() => iptables.lastRestore('filter').includes('"default/web:http has no endpoints"'), {
    message: 'REJECT without endpoints',
  });
  await waitFor(() => /-X KUBE-SVC-/.test(iptables.lastRestore('nat')));

  await services().delete('default', 'web');
  await waitFor(() => !iptables.lastRestore('filter').includes('default/web'), { message: 'service gone' });

  const syncs = proxy.syncCount;
  await proxy.stop();
  const restores = iptables.restores.length;
  await services().create({
    metadata: { name: 'late', namespace: 'default' },
    spec: { ports: [{ port: 81 }] },
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(iptables.restores.length, restores, 'no sync after stop');
  assert.ok(syncs >= 4);
});

test("with the agent's shared informers, services another proxy serves or that are headless get no rules", async () => {
  const pool = new SharedInformerPool(api.client);
  const sliceFor = (service: string, ip: string, labels: Record<string, string> = {}): EndpointSlice => ({
    ...webSlice([ip]),
    metadata: {
      name: `${service}-abc`,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': service, ...labels },
    },
  });
  await services().create({
    metadata: { name: 'mine', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  await slices().create(sliceFor('mine', '10.244.2.1'));
  const other = { 'service.kubernetes.io/service-proxy-name': 'other-proxy' };
  await services().create({
    metadata: { name: 'elsewhere', namespace: 'default', labels: other },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  await slices().create(sliceFor('elsewhere', '10.244.2.2', other));
  await services().create({
    metadata: { name: 'nameless', namespace: 'default', labels: { 'service.kubernetes.io/headless': '' } },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  await slices().create(sliceFor('nameless', '10.244.2.3', { 'service.kubernetes.io/headless': '' }));
  // A slice without its service's name is nobody's.
  await slices().create({ ...webSlice(['10.244.2.4']), metadata: { name: 'orphan', namespace: 'default' } });

  const iptables = new FakeIptables();
  const shared = new ServiceProxy({
    client: api.client,
    informers: pool,
    nodeName: 'node-a',
    runner: iptables,
    minSyncPeriodMs: 10,
  });
  await shared.start();
  try {
    await waitFor(() => iptables.lastRestore('nat').includes('--to-destination 10.244.2.1:8080'), {
      message: 'rules for the proxied service',
    });
    const nat = iptables.lastRestore('nat');
    for (const ip of ['10.244.2.2', '10.244.2.3', '10.244.2.4'])
      assert.ok(!nat.includes(ip), `no rules to ${ip}`);
    assert.ok(!nat.includes('default/elsewhere') && !nat.includes('default/nameless'));
    // Not even rejected as endpointless: as for kube-proxy, which never sees them, they do not exist here.
    const filter = iptables.lastRestore('filter');
    assert.ok(!filter.includes('default/elsewhere') && !filter.includes('default/nameless'), filter);
    assert.equal(pool.running, 3, 'one shared informer each on Services, EndpointSlices and Nodes');
  } finally {
    await shared.stop();
  }
  assert.equal(pool.running, 0, 'released when the proxy stops');
});

test('a LoadBalancer with externalTrafficPolicy Local gets a health check port that counts local ready endpoints', async () => {
  const iptables = new FakeIptables();
  const hcProxy = new ServiceProxy({
    client: api.client,
    nodeName: 'node-a',
    runner: iptables,
    minSyncPeriodMs: 10,
    healthCheckAddress: '127.0.0.1',
  });
  await hcProxy.start();
  const check = async (port: number): Promise<{ status: number; body: unknown } | string> => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.headers.get('content-type'), 'application/json');
      return { status: res.status, body: JSON.parse(await res.text()) };
    } catch (err) {
      return String((err as Error & { cause?: { code?: string } }).cause?.code ?? err);
    }
  };
  try {
    const svc = await services().create({
      metadata: { name: 'lb-local', namespace: 'default' },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      },
    });
    const port = svc.spec?.healthCheckNodePort ?? 0;
    assert.ok(port >= 30000 && port <= 32767, `allocated from the node port range: ${port}`);
    assert.ok(!svc.spec?.ports?.some((p) => p.nodePort === port), 'not one of the service’s node ports');

    const none = await waitFor(
      async () => {
        const r = await check(port);
        return typeof r === 'object' ? r : undefined;
      },
      { message: 'the health check port open' },
    );
    assert.deepEqual(none, {
      status: 503,
      body: {
        service: { namespace: 'default', name: 'lb-local' },
        localEndpoints: 0,
        serviceProxyHealthy: true,
      },
    });

    // One pod here serving both ports counts once; a pod on another node and a pod not ready do not count.
    await slices().create({
      metadata: {
        name: 'lb-local-1',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'lb-local' },
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.5'], nodeName: 'node-a', conditions: { ready: true } },
        { addresses: ['10.244.1.6'], nodeName: 'node-a', conditions: { ready: false } },
        { addresses: ['10.244.2.5'], nodeName: 'node-b', conditions: { ready: true } },
      ],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'https', port: 8443, protocol: 'TCP' },
      ],
    });
    const one = await waitFor(
      async () => {
        const r = await check(port);
        return typeof r === 'object' && r.status === 200 ? r : undefined;
      },
      { message: 'a local endpoint counted' },
    );
    assert.equal((one.body as { localEndpoints: number }).localEndpoints, 1);

    // The Cluster policy needs no health check: the port closes and goes back to the range.
    const current = await services().get('default', 'lb-local');
    const updated = await services().update({
      ...current,
      spec: { ...current.spec, externalTrafficPolicy: 'Cluster' },
    });
    assert.equal(updated.spec?.healthCheckNodePort, undefined);
    await waitFor(async () => (await check(port)) === 'ECONNREFUSED', {
      message: 'the health check port closed',
    });
    assert.deepEqual(hcProxy.healthCheckPorts, new Map());
  } finally {
    await hcProxy.stop();
    await services()
      .delete('default', 'lb-local')
      .catch(() => {});
    await slices()
      .delete('default', 'lb-local-1')
      .catch(() => {});
  }
});

test('/healthz and /livez: healthy while the rules keep up, not once a change waits too long; /healthz drains a node the autoscaler removes', async () => {
  const iptables = new FakeIptables();
  const nodes = api.client.resource<Node>(R.nodes);
  await nodes.create({ metadata: { name: 'node-hz' } });
  // Two sync periods (300 ms) is how long a change may wait for its rules.
  const hzProxy = new ServiceProxy({
    client: api.client,
    nodeName: 'node-hz',
    runner: iptables,
    minSyncPeriodMs: 10,
    syncPeriodMs: 150,
    healthzAddress: { host: '127.0.0.1', port: 0 },
  });
  await hzProxy.start();
  const probe = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${hzProxy.healthzPort}${path}`);
    return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
  };
  try {
    const ok = await probe('/healthz');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.nodeEligible, true);
    assert.equal((await probe('/livez')).status, 200);

    // A change the rules cannot take: unhealthy once it has waited two sync periods.
    iptables.failRestores = true;
    await services().create({
      metadata: { name: 'hz', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
    const stale = await waitFor(
      async () => {
        const r = await probe('/livez');
        return r.status === 503 ? r : undefined;
      },
      { message: '/livez 503' },
    );
    assert.notEqual(stale.body.lastUpdated, stale.body.currentTime, 'the last sync that worked');
    assert.equal((await probe('/healthz')).status, 503);
    iptables.failRestores = false;
    await waitFor(async () => (await probe('/livez')).status === 200, { message: 'healthy after a sync' });

    // The cluster autoscaler's taint: /healthz fails so that load balancers drain the node; /livez does not.
    const node = await nodes.get('', 'node-hz');
    await nodes.update({
      ...node,
      spec: {
        taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1733565600', effect: 'NoSchedule' }],
      },
    });
    const draining = await waitFor(
      async () => {
        const r = await probe('/healthz');
        return r.status === 503 ? r : undefined;
      },
      { message: '/healthz 503 for a node being removed' },
    );
    assert.equal(draining.body.nodeEligible, false);
    assert.equal((await probe('/livez')).status, 200);
  } finally {
    await hzProxy.stop();
    await services()
      .delete('default', 'hz')
      .catch(() => {});
    await nodes.delete('', 'node-hz').catch(() => {});
  }
});
