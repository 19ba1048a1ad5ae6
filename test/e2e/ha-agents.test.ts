/**
 * An agent of a cluster with two servers on one etcd keeps working when the server it joined through dies, as
 * k3s agents do: its load balancer learns both servers from the `kubernetes` Endpoints and moves its
 * connections to the one left. The agent uses the process runtime (no runc or CNI needed); its pods pull their
 * image from TUGBOAT_TEST_REGISTRY, as the other join tests do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { etcdMissing, testEtcdEndpoint } from '../helpers/etcd.js';
import { startTugboat, type TugboatProcess } from '../helpers/hollow.js';
import { removeServerCluster, startLoopbackServerPair } from '../helpers/ha-servers.js';
import { expectOk, type ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const BUSYBOX = `${registry}/tugboat-test/busybox:latest`;
const NODE = `ha-node-${process.pid}`;
const TOKEN = 'ha-agents-secret';

async function whyMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (the agent keeps pods under a root-owned data dir)';
  if (!registry) return 'TUGBOAT_TEST_REGISTRY is not set (see .ci/run)';
  return etcdMissing();
}
const skip = await whyMissing();
if (skip) console.log(`# ha-agents e2e skipped: ${skip}`);

void describe('an agent fails over between the servers of a cluster', { skip: skip ?? false }, () => {
  const prefix = `/tugboat-ha-agents-${process.pid}-${Date.now()}`;
  const datastore = `etcd://${testEtcdEndpoint}?prefix=${prefix}`;
  let root: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let agent: TugboatProcess | undefined;
  let agentDir: string;
  let token: string;

  const startAgent = (): TugboatProcess =>
    startTugboat([
      'agent',
      '--server',
      a.server,
      '--token',
      token,
      '--data-dir',
      agentDir,
      '--node-name',
      NODE,
      '--kubelet-port',
      '0',
      '--container-runtime',
      'process',
    ]);
  const savedServers = (): string[] => {
    try {
      const saved = JSON.parse(readFileSync(join(agentDir, 'agent', 'api-servers.json'), 'utf8')) as {
        servers: string[];
      };
      return saved.servers;
    } catch {
      return [];
    }
  };
  const nodeReady = async (s: ServerProcess): Promise<boolean> => {
    const r = await s.kubectl(['get', 'node', NODE, '-o', 'json']);
    const node = r.code === 0 ? (JSON.parse(r.stdout) as Node) : undefined;
    return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  };
  const leaseRenewedAfter = async (s: ServerProcess, time: number): Promise<boolean> => {
    const r = await s.kubectl(['get', 'lease', '-n', 'kube-node-lease', NODE, '-o', 'json']);
    const lease = r.code === 0 ? (JSON.parse(r.stdout) as Lease) : undefined;
    return Date.parse(lease?.spec?.renewTime ?? '') > time;
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tugboat-ha-agents-'));
    agentDir = join(root, 'agent');
    ({ a, b } = await startLoopbackServerPair(root, datastore, TOKEN));
    token = readFileSync(join(a.dataDir, 'server', 'node-token'), 'utf8').trim();
    agent = startAgent();
  });

  after(async () => {
    await b?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    await agent?.stop();
    await removeServerCluster([a, b], prefix, root);
  });

  test('the agent joins through the first server and learns both', async () => {
    await waitFor(() => nodeReady(a).then((ok) => ok || undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
      message: `${NODE} Ready\n${agent?.output()}`,
    });
    const both = [`127.0.0.2:${a.port}`, `127.0.0.3:${a.port}`];
    await waitFor(() => (savedServers().join() === both.join() ? true : undefined), {
      timeoutMs: 30_000,
      message: `the agent saves both servers (has ${savedServers().join()})\n${agent?.output()}`,
    });
  });

  test('when that server dies, heartbeats and pods go through the other', async () => {
    await a.kill9();
    const killedAt = Date.now();
    // The node's Lease is renewed every 10 s; a renewal after the kill came through B.
    await waitFor(() => leaseRenewedAfter(b, killedAt).then((ok) => ok || undefined), {
      timeoutMs: 45_000,
      intervalMs: 1000,
      message: `the node's Lease renewed through B\n${agent?.output()}`,
    });
    // B's scheduler and controllers take over once A's leader leases expire; the agent sees the pod through B.
    expectOk(
      await b.kubectl(['apply', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'after-failover' },
          spec: {
            nodeName: NODE,
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'echo ran on $(hostname)'] }],
          },
        }),
      }),
      'create a pod through B',
    );
    await waitFor(
      async () => {
        const r = await b.kubectl(['get', 'pod', 'after-failover', '-o', 'json']);
        const pod = r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
        return pod?.status?.phase === 'Succeeded' || undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: `the pod Succeeded\n${agent?.output()}` },
    );
    assert.match(expectOk(await b.kubectl(['logs', 'after-failover']), 'logs through B').stdout, /^ran on /);
    assert.ok(await nodeReady(b), 'the node stays Ready');
  });

  test('a restarted agent joins through the server it saved while its --server is down', async () => {
    await agent!.stop();
    const restartedAt = Date.now();
    agent = startAgent();
    await waitFor(() => leaseRenewedAfter(b, restartedAt).then((ok) => ok || undefined), {
      timeoutMs: 60_000,
      intervalMs: 1000,
      message: `the restarted agent renews its Lease through B\n${agent.output()}`,
    });
    assert.match(agent.output(), /joined the cluster/);
  });
});
