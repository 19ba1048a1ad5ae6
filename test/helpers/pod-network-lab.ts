/**
 * Pieces of the pod network tests (src/podnet): "node" network namespaces with a bridge for their pod CIDR and a
 * "pod" namespace behind it, a server in a pod that answers each connection with the address it came from, and
 * a stand-in for the Node informer. Everything lives in namespaces the tests make and delete.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { EventHandler } from '../../src/client/index.js';
import type { NodeSource } from '../../src/podnet/index.js';

export const CLUSTER_CIDR = '10.42.0.0/16';

/** Runs argv in a network namespace; throws with its stderr when it fails. */
export function sh(netns: string, ...argv: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} in ${netns}: ${r.stderr.trim()}`);
  return r.stdout;
}

export function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** A veth pair between two namespaces, each end addressed (`a.b.c.d/n`) and up. */
export function link(
  a: { netns: string; name: string; address: string },
  b: { netns: string; name: string; address: string },
): void {
  ip('link', 'add', a.name, 'netns', a.netns, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.netns);
  for (const end of [a, b]) {
    sh(end.netns, 'ip', 'addr', 'add', end.address, 'dev', end.name);
    sh(end.netns, 'ip', 'link', 'set', end.name, 'up');
  }
}

/** A node namespace with a bridge (gateway .1 of its pod CIDR) and one pod namespace behind it. */
export function buildNode(host: string, pod: string, podCidr: string, podAddress: string): void {
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

/** Starts ADDRESS_ECHO_SERVER in a namespace and waits until it listens. */
export async function startAddressEcho(netns: string): Promise<ChildProcess> {
  const server = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', ADDRESS_ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(server.stdout, 'data');
  return server;
}

/** Kills a process the test started (by its PID) and waits for it to exit. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** Answers each connection on port 8080 with the address it came from; prints `ready` once listening. */
const ADDRESS_ECHO_SERVER = `
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

/** Connects from a namespace to address:8080: the address the server saw, or ERR:<code>. */
export function connectFrom(netns: string, address: string): string {
  return sh(netns, process.execPath, '-e', CLIENT, address).trim();
}

export function labNode(name: string, podCIDR: string, internalIP: string): Node {
  return {
    metadata: { name },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: internalIP }] },
  };
}

/** A stand-in for the Node informer: a list the test sets, with the events an informer would deliver. */
export class NodeList implements NodeSource {
  private handlers: EventHandler<Node>[] = [];
  constructor(private nodes: Node[]) {}
  /** Delivers a delete for each node gone and an add for each new one. */
  set(nodes: Node[]): void {
    const gone = this.nodes.filter((n) => !nodes.includes(n));
    const added = nodes.filter((n) => !this.nodes.includes(n));
    this.nodes = nodes;
    for (const h of this.handlers) {
      for (const n of gone) h.delete?.(n);
      for (const n of added) h.add?.(n);
    }
  }
  /** A merge of annotations into one node, delivered as an update (what a node's patch of itself does). */
  annotate(name: string, annotations: Record<string, string>): void {
    const old = this.nodes.find((n) => n.metadata?.name === name);
    if (!old) throw new Error(`no node ${name}`);
    const cur: Node = {
      ...old,
      metadata: { ...old.metadata, annotations: { ...old.metadata?.annotations, ...annotations } },
    };
    this.nodes = this.nodes.map((n) => (n === old ? cur : n));
    for (const h of this.handlers) h.update?.(old, cur);
  }
  get(name: string): Node | undefined {
    return this.nodes.find((n) => n.metadata?.name === name);
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
