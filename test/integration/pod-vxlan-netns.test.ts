/**
 * The VXLAN backend (src/podnet/vxlan*.ts) on real kernels: two "node" network namespaces on different subnets,
 * joined only through a router namespace (no link-layer network in common, where host-gw cannot route), each
 * with a bridge for its pod CIDR and a "pod" namespace behind it. Each node's agent makes its VXLAN device,
 * publishes it on its Node (a shared stand-in for the informer carries the annotations to the other agent) and
 * routes the other's pod CIDR over it; a pod then reaches the other node's pod with its own address. Nothing is
 * created in the host's namespace; the namespaces and the server process (by PID) are removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  ANN_BACKEND_DATA,
  ANN_PUBLIC_IP,
  PodRoutesAgent,
  removePodNetwork,
  ROUTE_PROTOCOL,
  VXLAN_DEVICE,
} from '../../src/podnet/index.js';
import { deviceMac } from '../../src/podnet/vxlan.js';
import { netnsRunner } from '../../src/proxy/command-runner.js';
import { waitFor } from '../../src/util/wait.js';
import {
  buildNode,
  CLUSTER_CIDR,
  connectFrom,
  ip,
  labNode,
  link,
  NodeList,
  sh,
  startAddressEcho,
  stopProcess,
} from '../helpers/pod-network-lab.js';
import { labMissing } from '../helpers/service-lab.js';

const tag = `${process.pid % 100000}`;
const ns = {
  router: `tbx-r-${tag}`,
  hostA: `tbx-ha-${tag}`,
  hostB: `tbx-hb-${tag}`,
  podA: `tbx-pa-${tag}`,
  podB: `tbx-pb-${tag}`,
};
const HOST_A = '192.168.81.1';
const HOST_B = '192.168.82.1';
const POD_A = '10.42.1.5';
const POD_B = '10.42.2.5';

const skip = labMissing();
if (skip) console.log(`# VXLAN lab skipped: ${skip}`);

const routesOn = (host: string): string =>
  sh(host, 'ip', '-4', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL);

void describe(
  'a VXLAN overlay between the pod networks of two nodes on different subnets',
  { skip: skip ?? false, concurrency: false },
  () => {
    let server: ChildProcess | undefined;
    const agents: PodRoutesAgent[] = [];
    const runnerA = netnsRunner(`/var/run/netns/${ns.hostA}`);
    const runnerB = netnsRunner(`/var/run/netns/${ns.hostB}`);
    const nodeA = labNode('node-a', '10.42.1.0/24', HOST_A);
    const nodeB = labNode('node-b', '10.42.2.0/24', HOST_B);
    // What the API server would show both agents: one list, each agent's patch of its Node seen by the other.
    const cluster = new NodeList([nodeA, nodeB]);

    function vxlanAgent(name: string, runner: ReturnType<typeof netnsRunner>): PodRoutesAgent {
      const agent = new PodRoutesAgent({
        nodeName: name,
        clusterCidr: CLUSTER_CIDR,
        nodes: cluster,
        runner,
        backend: 'vxlan',
        publish: (annotations) => Promise.resolve(cluster.annotate(name, annotations)),
      });
      agents.push(agent);
      return agent;
    }

    before(async () => {
      for (const n of Object.values(ns)) ip('netns', 'add', n);
      sh(ns.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      buildNode(ns.hostA, ns.podA, '10.42.1.0/24', POD_A);
      buildNode(ns.hostB, ns.podB, '10.42.2.0/24', POD_B);
      link(
        { netns: ns.hostA, name: 'uplink', address: `${HOST_A}/24` },
        { netns: ns.router, name: 'to-a', address: '192.168.81.254/24' },
      );
      link(
        { netns: ns.hostB, name: 'uplink', address: `${HOST_B}/24` },
        { netns: ns.router, name: 'to-b', address: '192.168.82.254/24' },
      );
      sh(ns.hostA, 'ip', 'route', 'add', 'default', 'via', '192.168.81.254');
      sh(ns.hostB, 'ip', 'route', 'add', 'default', 'via', '192.168.82.254');
      server = await startAddressEcho(ns.podB);
    });

    after(async () => {
      for (const a of agents) await a.stop();
      await stopProcess(server);
      for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'delete', n]);
    });

    test('the nodes reach each other, their pods do not', () => {
      // Refused, not timed out: node-b answered (nothing listens on its own port 8080).
      assert.equal(connectFrom(ns.hostA, HOST_B), 'ERR:ECONNREFUSED');
      assert.match(connectFrom(ns.podA, POD_B), /^ERR:/);
    });

    test('each agent makes its device, publishes it and routes the other’s pods over it', async () => {
      await vxlanAgent('node-a', runnerA).start();
      await vxlanAgent('node-b', runnerB).start();
      const routes = await waitFor(
        () => (routesOn(ns.hostA).includes('10.42.2.0/24') ? routesOn(ns.hostA) : undefined),
        { timeoutMs: 10_000, message: 'the route to node-b’s pods' },
      );
      assert.match(routes, new RegExp(`10\\.42\\.2\\.0/24 via 10\\.42\\.2\\.0 dev ${VXLAN_DEVICE} .*onlink`));
      await waitFor(() => routesOn(ns.hostB).includes('10.42.1.0/24'), {
        timeoutMs: 10_000,
        message: 'the route to node-a’s pods',
      });

      // flannel's annotations, with the device's MAC and the node's address.
      const published = cluster.get('node-b')?.metadata?.annotations ?? {};
      assert.equal(published[ANN_BACKEND_DATA], JSON.stringify({ VNI: 1, VtepMAC: deviceMac('node-b') }));
      assert.equal(published[ANN_PUBLIC_IP], HOST_B);
      // The device: VNI 1 from node-a's address on port 8472, its pod network address, the encapsulation's MTU.
      const device = sh(ns.hostA, 'ip', '-d', '-o', 'link', 'show', 'dev', VXLAN_DEVICE);
      assert.match(device, /mtu 1450 /);
      assert.match(
        device,
        new RegExp(`vxlan id 1 local ${HOST_A.replace(/\./g, '\\.')} dev uplink .*dstport 8472 nolearning`),
      );
      assert.match(
        sh(ns.hostA, 'ip', '-4', '-o', 'addr', 'show', 'dev', VXLAN_DEVICE),
        /inet 10\.42\.1\.0\/32 /,
      );
      assert.match(
        sh(ns.hostA, 'bridge', 'fdb', 'show', 'dev', VXLAN_DEVICE),
        new RegExp(`${deviceMac('node-b')} dst ${HOST_B.replace(/\./g, '\\.')} self permanent`),
      );
      assert.match(
        sh(ns.hostA, 'ip', '-4', 'neigh', 'show', 'dev', VXLAN_DEVICE),
        new RegExp(`10\\.42\\.2\\.0 lladdr ${deviceMac('node-b')} PERMANENT`),
      );

      // Through the router, encapsulated; the pod's own address arrives (no masquerade on the way).
      assert.equal(
        await waitFor(() => (connectFrom(ns.podA, POD_B) === POD_A ? POD_A : undefined), {
          timeoutMs: 10_000,
          message: 'node-b’s pod reached',
        }),
        POD_A,
      );
      // The node itself reaches other nodes' pods from its device's address, which is routed back to it.
      assert.equal(connectFrom(ns.hostA, POD_B), '10.42.1.0');
    });

    test('a node that leaves takes its route, neighbour and forwarding entries with it', async () => {
      cluster.set([cluster.get('node-a')!]);
      await waitFor(() => !routesOn(ns.hostA).includes('10.42.2.0'), {
        timeoutMs: 10_000,
        message: 'the route to node-b’s pods removed',
      });
      assert.equal(
        sh(ns.hostA, 'bridge', 'fdb', 'show', 'dev', VXLAN_DEVICE).includes(deviceMac('node-b')),
        false,
      );
      assert.equal(sh(ns.hostA, 'ip', '-4', 'neigh', 'show', 'dev', VXLAN_DEVICE).trim(), '');
      assert.match(connectFrom(ns.podA, POD_B), /^ERR:/);
    });

    test('a node that comes back is reached again; its agent restarting changes nothing', async () => {
      // node-b rejoins with its device already there (its agent kept running): the same MAC comes back.
      cluster.set([cluster.get('node-a')!, nodeB]);
      const restarted = agents.splice(1, 1)[0]!;
      await restarted.stop();
      await vxlanAgent('node-b', runnerB).start();
      await waitFor(() => routesOn(ns.hostA).includes('10.42.2.0'), {
        timeoutMs: 10_000,
        message: 'the route to node-b’s pods back',
      });
      await waitFor(() => connectFrom(ns.podA, POD_B) === POD_A, {
        timeoutMs: 20_000,
        message: 'node-b reached again',
      });
    });

    test('a node switched to host-gw loses its device; removal takes routes and rules away', async () => {
      for (const a of agents.splice(0)) await a.stop();
      const hostGw = new PodRoutesAgent({
        nodeName: 'node-a',
        clusterCidr: CLUSTER_CIDR,
        nodes: cluster,
        runner: runnerA,
      });
      agents.push(hostGw);
      await hostGw.start();
      await waitFor(
        () => spawnSync('ip', ['-n', ns.hostA, 'link', 'show', 'dev', VXLAN_DEVICE]).status !== 0,
        {
          timeoutMs: 10_000,
          message: 'the device removed',
        },
      );
      // node-b is not on node-a's network: host-gw cannot route there (refused by the kernel, reported once).
      assert.equal(routesOn(ns.hostA).trim(), '');
      await hostGw.stop();
      agents.splice(0);

      await removePodNetwork(CLUSTER_CIDR, runnerB);
      assert.notEqual(spawnSync('ip', ['-n', ns.hostB, 'link', 'show', 'dev', VXLAN_DEVICE]).status, 0);
      assert.equal(routesOn(ns.hostB).trim(), '');
      const rules =
        sh(ns.hostB, 'iptables-save', '-t', 'nat') + sh(ns.hostB, 'iptables-save', '-t', 'filter');
      assert.doesNotMatch(rules, /tugboat:/);
    });
  },
);
