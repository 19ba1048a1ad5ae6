/**
 * The pod network between nodes (src/podnet) on real kernels: two "node" network namespaces on one link, each
 * with a bridge for its pod CIDR, a "pod" namespace behind it and the CNI bridge plugin's masquerade rule. The
 * agent of each node routes the other's pod CIDR through its address; a pod then reaches the other node's pod,
 * which sees the pod's own address. Nothing is created in the host's namespace; the namespaces and the server
 * process (by PID) are removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { PodRoutesAgent, removePodNetwork, ROUTE_PROTOCOL } from '../../src/podnet/index.js';
import { netnsRunner } from '../../src/proxy/command-runner.js';
import { waitFor } from '../../src/util/wait.js';
import {
  buildNode,
  CLUSTER_CIDR,
  connectFrom,
  ip,
  labNode as node,
  link,
  NodeList,
  sh,
  startAddressEcho,
  stopProcess,
} from '../helpers/pod-network-lab.js';
import { labMissing } from '../helpers/service-lab.js';

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

function connectFromPodA(address: string): string {
  return connectFrom(ns.podA, address);
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
      buildNode(ns.hostA, ns.podA, '10.42.1.0/24', POD_A);
      buildNode(ns.hostB, ns.podB, '10.42.2.0/24', POD_B);
      link(
        { netns: ns.hostA, name: 'veth-ab', address: `${HOST_A}/24` },
        { netns: ns.hostB, name: 'veth-ba', address: `${HOST_B}/24` },
      );
      server = await startAddressEcho(ns.podB);
    });

    after(async () => {
      for (const a of agents) await a.stop();
      await stopProcess(server);
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
