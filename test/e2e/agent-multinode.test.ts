/**
 * Two nodes with real containers: the server's own agent on this host, and a joined `tugboat agent` in a
 * network namespace the test makes (a second "machine" linked to this host by a veth pair, as two hosts on one
 * LAN). Pods on each node reach the other's pods over the agents' VXLAN overlay, Services reach pods
 * on the other node, the joined node's DNS answers, and exec goes through the server to the joined node. The
 * joined agent pulls images through a forwarder to the test registry (its own loopback is not this host's).
 * Needs what the agent e2e tests need, plus nsenter.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { ANN_PUBLIC_IP, VXLAN_DEVICE, vtepMac } from '../../src/podnet/index.js';
import { agentMissing, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY ?? '';
const BUSYBOX = `${registry}/tugboat-test/busybox:latest`;
const tag = process.pid % 100000;
const NODE_A = `e2e-mn-a-${tag}`;
const NODE_B = `e2e-mn-b-${tag}`;
const NETNS = `tbm-${tag}`;
const VETH = `tbm${tag}`;
const A_IP = '192.168.91.1';
const B_IP = '192.168.91.2';
const tugboatBin = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'tugboat.js');

const skip = agentMissing(['iptables-restore', 'nsenter', 'ip']);
if (skip) console.log(`# multi-node e2e skipped: ${skip}`);

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** Relays TCP connections from `listenHost` to the test registry, for the node in the namespace. */
async function registryForwarder(listenHost: string): Promise<Server> {
  const [host, port] = [
    registry.slice(0, registry.lastIndexOf(':')),
    Number(registry.slice(registry.lastIndexOf(':') + 1)),
  ];
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  server.listen(0, listenHost);
  await once(server, 'listening');
  return server;
}

void describe(
  'two nodes: the server’s and a joined agent’s',
  { skip: skip ?? false, concurrency: false },
  () => {
    let s: ServerProcess;
    let agentB: ChildProcess | undefined;
    let agentOut = '';
    let forwarder: Server | undefined;
    let dirB = '';

    async function ok(args: string[], input?: string): Promise<string> {
      const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input ? { input } : {}) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
      return r.stdout;
    }

    async function readyNode(name: string): Promise<Node> {
      return waitFor(
        async () => {
          const r = await s.kubectl(['get', 'node', name, '-o', 'json']);
          const n = r.code === 0 ? (JSON.parse(r.stdout) as Node) : undefined;
          const ready = n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          return ready && n?.spec?.podCIDR ? n : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 500,
          message: `${name} Ready with a pod CIDR\n${agentOut.slice(-3000)}`,
        },
      );
    }

    async function runningPod(name: string, node: string, labels: Record<string, string>): Promise<Pod> {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels },
          spec: { nodeName: node, containers: [{ name: 'web', image: BUSYBOX }] },
        }),
      );
      return waitFor(
        async () => {
          const pod = JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
          return pod.status?.phase === 'Running' && pod.status.podIP ? pod : undefined;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          message: `${name} Running on ${node}\n${agentOut.slice(-3000)}`,
        },
      );
    }

    /** `wget -qO- URL` inside a pod (busybox's `wget -T` crashes: `timeout` bounds it), retried while rules settle. */
    async function fetchFrom(pod: string, url: string): Promise<string> {
      return waitFor(
        async () => {
          const r = await s.kubectl(['exec', pod, '--', 'timeout', '5', 'wget', '-qO-', url], {
            timeoutMs: 30_000,
          });
          return r.code === 0 ? r.stdout : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 1000, message: `${url} from ${pod}` },
      );
    }

    before(async () => {
      ip('netns', 'add', NETNS);
      ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NETNS);
      ip('addr', 'add', `${A_IP}/24`, 'dev', VETH);
      ip('link', 'set', VETH, 'up');
      ip('-n', NETNS, 'link', 'set', 'lo', 'up');
      ip('-n', NETNS, 'addr', 'add', `${B_IP}/24`, 'dev', 'eth0');
      ip('-n', NETNS, 'link', 'set', 'eth0', 'up');
      ip('-n', NETNS, 'route', 'add', 'default', 'via', A_IP);

      // The server listens where the other "machine" reaches it; this host's node is known there by that address.
      s = await startAgentServer(NODE_A, { extraArgs: ['--bind-address', A_IP, '--node-ip', A_IP] });
      forwarder = await registryForwarder(A_IP);
      dirB = mkdtempSync(join(tmpdir(), 'tugboat-node-b-'));
      writeFileSync(
        join(dirB, 'registries.yaml'),
        `mirrors:\n  "${registry}":\n    endpoint: ["http://${A_IP}:${(forwarder.address() as AddressInfo).port}"]\n`,
      );
      const token = readFileSync(join(s.dataDir, 'server', 'node-token'), 'utf8').trim();
      // nsenter --net only: `ip netns exec` would also remount /sys and hide the cgroup hierarchies.
      agentB = spawn(
        'nsenter',
        [
          `--net=/var/run/netns/${NETNS}`,
          process.execPath,
          tugboatBin,
          'agent',
          '--server',
          s.server,
          '--token',
          token,
          '--data-dir',
          dirB,
          '--node-name',
          NODE_B,
          '--node-ip',
          B_IP,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const keep = (c: Buffer): void => {
        agentOut = (agentOut + c.toString()).slice(-50_000);
      };
      agentB.stdout!.on('data', keep);
      agentB.stderr!.on('data', keep);
    });

    after(async () => {
      if (s)
        await s.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
      if (agentB && agentB.exitCode === null && agentB.signalCode === null) {
        agentB.kill('SIGTERM');
        const timer = setTimeout(() => agentB?.kill('SIGKILL'), 20_000);
        await once(agentB, 'exit');
        clearTimeout(timer);
      }
      forwarder?.close();
      await stopAgentServer(s);
      spawnSync('ip', ['netns', 'delete', NETNS]);
      spawnSync('ip', ['link', 'del', VETH]);
      if (dirB) rmSync(dirB, { recursive: true, force: true });
    });

    test('the joined node is Ready with a pod CIDR of its own', async () => {
      const a = await readyNode(NODE_A);
      const b = await readyNode(NODE_B);
      assert.notEqual(a.spec?.podCIDR, b.spec?.podCIDR);
      assert.deepEqual(
        b.status?.addresses?.filter((x) => x.type === 'InternalIP').map((x) => x.address),
        [B_IP],
      );
    });

    test('pods on the two nodes reach each other', async () => {
      const [podA, podB] = await Promise.all([
        runningPod('web-a', NODE_A, { app: 'mn', side: 'a' }),
        runningPod('web-b', NODE_B, { app: 'mn', side: 'b' }),
      ]);
      assert.match(await fetchFrom('web-a', `http://${podB.status!.podIP}:8080/`), /tugboat-test busybox/);
      assert.match(await fetchFrom('web-b', `http://${podA.status!.podIP}:8080/`), /tugboat-test busybox/);
      // The VXLAN overlay (the default backend): this host routes node B's pod CIDR over its device, through
      // B's pod network address, which B published with its device's MAC on its Node.
      const cidrB = podB.status!.podIP!.replace(/\.\d+$/, '.0');
      const routes = spawnSync('ip', ['-o', 'route', 'show', 'proto', '98'], { encoding: 'utf8' }).stdout;
      assert.match(
        routes,
        new RegExp(
          `${cidrB.replace(/\./g, '\\.')}/24 via ${cidrB.replace(/\./g, '\\.')} dev ${VXLAN_DEVICE}`,
        ),
      );
      const nodeB = JSON.parse(await ok(['get', 'node', NODE_B, '-o', 'json'])) as Node;
      assert.equal(nodeB.metadata?.annotations?.[ANN_PUBLIC_IP], B_IP);
      const vtep = vtepMac(nodeB);
      assert.ok(vtep, 'node B publishes its VXLAN device');
      const fdb = spawnSync('bridge', ['fdb', 'show', 'dev', VXLAN_DEVICE], { encoding: 'utf8' }).stdout;
      assert.match(fdb, new RegExp(`${vtep} dst ${B_IP.replace(/\./g, '\\.')} self permanent`));
      // Pods get the encapsulation's MTU on both nodes (1500 less 50 on these veths).
      for (const pod of ['web-a', 'web-b']) {
        assert.equal((await ok(['exec', pod, '--', 'cat', '/sys/class/net/eth0/mtu'])).trim(), '1450');
      }
    });

    test('a Service on the other node answers by its DNS name on the joined node', async () => {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'only-a' },
          spec: { selector: { side: 'a' }, ports: [{ port: 80, targetPort: 8080 }] },
        }),
      );
      // web-b resolves the name with its node's DNS, and its node's proxy sends the connection to node A's pod.
      assert.match(
        await fetchFrom('web-b', 'http://only-a.default.svc.cluster.local/'),
        /tugboat-test busybox/,
      );
      assert.equal((await ok(['exec', 'web-b', '--', 'hostname'])).trim(), 'web-b');
    });

    test('the joined agent needed nothing its node identity may not do', () => {
      assert.doesNotMatch(agentOut, /forbidden/i);
    });
  },
);
