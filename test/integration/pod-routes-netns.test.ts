/**
 * The pod network between nodes (src/podnet) on real kernels: two "node" network namespaces on one link, each
 * with a bridge for its pod CIDR, a "pod" namespace behind it and the CNI bridge plugin's masquerade rule. The
 * agent of each node routes the other's pod CIDR through its address; a pod then reaches the other node's pod,
 * which sees the pod's own address. Nothing is created in the host's namespace; the namespaces and the server
 * process (by PID) are removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { EventHandler } from '../../src/client/index.js';
import { PodRoutesAgent, removePodNetwork, ROUTE_PROTOCOL, type NodeSource } from '../../src/podnet/index.js';
import { netnsRunner } from '../../src/proxy/command-runner.js';
import { waitFor } from '../../src/util/wait.js';
import { labMissing } from '../helpers/service-lab.js';

const CLUSTER_CIDR = '10.42.0.0/16';
const tag = `${process.pid % 100000}`;
const ns = {
  hostA: `tbr-ha-${tag}`,
  hostB: `tbr-hb-${tag}`,
  podA: `tbr-pa-${tag}`,
  podB: `tbr-pb-${tag}`,
};
const HOST_A = '192.168.77.1';
const HOST_B = '192.168.77.2';
const POD_A = '10.42.1.5';
const POD_B = '10.42.2.5';

const skip = labMissing();
if (skip) console.log(`# pod network lab skipped: ${skip}`);

function sh(netns: string, ...argv: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} in ${netns}: ${r.stderr.trim()}`);
  return r.stdout;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** A node namespace with a bridge (gateway .1 of its pod CIDR) and one pod namespace behind it. */
function buildNode(host: string, pod: string, podCidr: string, podAddress: string): void {
  const gateway = podCidr.replace(/0\/24$/, '1');
  sh(host, 'ip', 'link', 'set', 'lo', 'up');
  sh(host, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  sh(host, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
  sh(host, 'ip', 'addr', 'add', `${gateway}/24`, 'dev', 'br0');
  sh(host, 'ip', 'link', 'set', 'br0', 'up');
  ip('link', 'add', 'veth-pod', 'netns', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod);
  sh(host, 'ip', 'link', 'set', 'veth-pod', 'master', 'br0', 'up');
  sh(pod, 'ip', 'link', 'set', 'lo', 'up');
  sh(pod, 'ip', 'addr', 'add', `${podAddress}/24`, 'dev', 'eth0');
  sh(pod, 'ip', 'link', 'set', 'eth0', 'up');
  sh(pod, 'ip', 'route', 'add', 'default', 'via', gateway);
  // What the CNI bridge plugin's ipMasq adds: traffic leaving the node's pod CIDR is masqueraded.
  sh(
    host,
    'iptables',
    '-w',
    '-t',
    'nat',
    '-A',
    'POSTROUTING',
    '-s',
    podCidr,
    '!',
    '-d',
    podCidr,
    '-j',
    'MASQUERADE',
  );
}

// Answers each connection with the address it came from.
const SERVER = `
const net = require('node:net');
net.createServer((s) => s.end(s.remoteAddress)).listen(8080, '0.0.0.0', () => console.log('ready'));
`;
const CLIENT = `
const net = require('node:net');
const s = net.connect({ host: process.argv[1], port: 8080 });
let data = '';
s.setTimeout(2000, () => { s.destroy(); console.log('ERR:TIMEOUT'); });
s.on('data', (d) => (data += d));
s.on('end', () => console.log(data));
s.on('error', (e) => console.log('ERR:' + e.code));
`;

function connectFromPodA(address: string): string {
  return sh(ns.podA, process.execPath, '-e', CLIENT, address).trim();
}

function node(name: string, podCIDR: string, internalIP: string): Node {
  return {
    metadata: { name },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: internalIP }] },
  };
}

/** A stand-in for the Node informer: a list the test sets, with update events. */
class NodeList implements NodeSource {
  private handlers: EventHandler<Node>[] = [];
  constructor(private nodes: Node[]) {}
  /** Delivers a delete for each node gone and an add for each new one, as an informer would. */
  set(nodes: Node[]): void {
    const gone = this.nodes.filter((n) => !nodes.includes(n));
    const added = nodes.filter((n) => !this.nodes.includes(n));
    this.nodes = nodes;
    for (const h of this.handlers) {
      for (const n of gone) h.delete?.(n);
      for (const n of added) h.add?.(n);
    }
  }
  addEventHandler(h: EventHandler<Node>): void {
    this.handlers.push(h);
  }
  start(): void {}
  stop(): void {}
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
  list(): Node[] {
    return this.nodes;
  }
}

void describe(
  'routes between the pod networks of two nodes',
  { skip: skip ?? false, concurrency: false },
  () => {
    let server: ChildProcess | undefined;
    const agents: PodRoutesAgent[] = [];
    const runnerA = netnsRunner(`/var/run/netns/${ns.hostA}`);
    const runnerB = netnsRunner(`/var/run/netns/${ns.hostB}`);
    const cluster = [
      node('node-a', '10.42.1.0/24', HOST_A),
      node('node-b', '10.42.2.0/24', HOST_B),
      // A node on a network neither is on: its route is refused and reported, the others still work.
      node('node-far', '10.42.3.0/24', '203.0.113.9'),
    ];
    const viewA = new NodeList(cluster);

    before(async () => {
      for (const n of Object.values(ns)) ip('netns', 'add', n);
      ip(
        'link',
        'add',
        'veth-ab',
        'netns',
        ns.hostA,
        'type',
        'veth',
        'peer',
        'name',
        'veth-ba',
        'netns',
        ns.hostB,
      );
      buildNode(ns.hostA, ns.podA, '10.42.1.0/24', POD_A);
      buildNode(ns.hostB, ns.podB, '10.42.2.0/24', POD_B);
      sh(ns.hostA, 'ip', 'addr', 'add', `${HOST_A}/24`, 'dev', 'veth-ab');
      sh(ns.hostA, 'ip', 'link', 'set', 'veth-ab', 'up');
      sh(ns.hostB, 'ip', 'addr', 'add', `${HOST_B}/24`, 'dev', 'veth-ba');
      sh(ns.hostB, 'ip', 'link', 'set', 'veth-ba', 'up');
      server = spawn('ip', ['netns', 'exec', ns.podB, process.execPath, '-e', SERVER], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await once(server.stdout!, 'data');
    });

    after(async () => {
      for (const a of agents) await a.stop();
      if (server?.pid !== undefined && server.exitCode === null) {
        server.kill('SIGKILL');
        await once(server, 'exit');
      }
      for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'delete', n]);
    });

    test('without routes the other node’s pods are unreachable', () => {
      assert.match(connectFromPodA(POD_B), /^ERR:/);
    });

    test('each agent routes the other node’s pod CIDR; traffic keeps the pod’s address', async () => {
      const a = new PodRoutesAgent({
        nodeName: 'node-a',
        clusterCidr: CLUSTER_CIDR,
        nodes: viewA,
        runner: runnerA,
      });
      const b = new PodRoutesAgent({
        nodeName: 'node-b',
        clusterCidr: CLUSTER_CIDR,
        nodes: new NodeList(cluster),
        runner: runnerB,
      });
      agents.push(a, b);
      await a.start();
      await b.start();
      const routes = await waitFor(
        () => {
          const text = sh(ns.hostA, 'ip', '-4', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL);
          return text.includes('10.42.2.0/24') ? text : undefined;
        },
        { timeoutMs: 10_000, message: 'the route to node-b’s pods' },
      );
      assert.match(routes, /10\.42\.2\.0\/24 via 192\.168\.77\.2/);
      assert.doesNotMatch(routes, /10\.42\.1\.0|10\.42\.3\.0/, 'no route to itself, none off-link');
      await waitFor(
        () => /10\.42\.1\.0\/24/.test(sh(ns.hostB, 'ip', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL)),
        {
          timeoutMs: 10_000,
          message: 'the route to node-a’s pods',
        },
      );
      // Without the agent's rule the CNI masquerade would show node-a's address here.
      assert.equal(connectFromPodA(POD_B), POD_A);
    });

    test('a node that leaves takes its route with it', async () => {
      viewA.set(cluster.filter((n) => n.metadata?.name !== 'node-b'));
      await waitFor(
        () => !sh(ns.hostA, 'ip', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL).includes('10.42.2.0'),
        {
          timeoutMs: 10_000,
          message: 'the route to node-b’s pods removed',
        },
      );
      assert.match(connectFromPodA(POD_B), /^ERR:/);
      viewA.set(cluster);
      // The route first, by a quick look: each connection attempt blocks this process (and the agent's sync in
      // it) while a client process starts, which on a loaded machine could use up the wait by itself.
      await waitFor(
        () => sh(ns.hostA, 'ip', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL).includes('10.42.2.0'),
        { timeoutMs: 10_000, message: 'the route to node-b’s pods back' },
      );
      await waitFor(() => connectFromPodA(POD_B) === POD_A, {
        timeoutMs: 20_000,
        message: 'node-b reached again',
      });
    });

    test('removal takes the routes and rules away', async () => {
      for (const a of agents.splice(0)) await a.stop();
      await removePodNetwork(CLUSTER_CIDR, runnerA);
      assert.equal(sh(ns.hostA, 'ip', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL).trim(), '');
      const nat = sh(ns.hostA, 'iptables-save', '-t', 'nat');
      const filter = sh(ns.hostA, 'iptables-save', '-t', 'filter');
      assert.doesNotMatch(nat + filter, /tugboat:/);
      assert.match(nat, /MASQUERADE/, 'the CNI plugin’s rule is not ours to remove');
    });
  },
);
