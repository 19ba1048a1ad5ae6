/**
 * Connects this node's pods with the other nodes', with one of flannel's backends as k3s offers them: a route to
 * each other node's pod CIDR, kept in step with the Node objects, and the iptables rules that let pod traffic
 * cross nodes with its source address intact (the CNI bridge plugin masquerades everything that leaves the
 * node's own pod CIDR). `vxlan` (k3s's default) routes through a VXLAN device (vxlan-backend.ts), so nodes only
 * need to reach each other over UDP 8472; `host-gw` routes through each node's InternalIP, so nodes must share a
 * link-layer network: a route whose next hop is not on a local network is refused by the kernel and reported once.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { isIP } from 'node:net';
import type { Informer } from '../client/index.js';

import { localRunner, runChecked, type CommandRunner } from '../proxy/command-runner.js';
import { SyncRunner } from '../proxy/sync-runner.js';
import { realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { removeVxlanDevice, VxlanBackend, type PublishAnnotations } from './vxlan-backend.js';
import { vxlanKey } from './vxlan.js';
import {
  desiredPodRoutes,
  parseRoutes,
  routeChanges,
  routingKey,
  ROUTE_PROTOCOL,
  type PodRoute,
} from './routes.js';

/** flannel's backends that Tugboat implements (`--flannel-backend`; `none` runs no agent). */
export type PodNetworkBackend = 'vxlan' | 'host-gw';

export interface PodRoutesAgentOptions {
  nodeName: string;
  /** The cluster's pod range (`--cluster-cidr`). */
  clusterCidr: string;
  nodes: NodeSource;
  /** Default host-gw. */
  backend?: PodNetworkBackend;
  /** vxlan: merges the device's annotations into this node's Node. */
  publish?: PublishAnnotations;
  /** Where ip and iptables run; default: this host. */
  runner?: CommandRunner;
  clock?: Clock;
  logger?: Logger;
}

/** What the agent needs of a Node informer. */
export type NodeSource = Pick<Informer<Node>, 'addEventHandler' | 'start' | 'stop' | 'waitForSync' | 'list'>;

/** The service proxy's masquerade mark (kube-proxy's bit 14): such packets must still reach its SNAT rule. */
const MASQ_MARK = '0x4000/0x4000';
const COMMENT = ['-m', 'comment', '--comment'];

interface HostRule {
  table: 'nat' | 'filter';
  chain: string;
  /** nat rules go first (before the CNI plugin's masquerade); filter rules after everything else. */
  insert: boolean;
  args: string[];
}

/** The iptables rules for pod traffic between nodes; removed with `removePodNetworkRules`. */
export function podNetworkRules(clusterCidr: string): HostRule[] {
  return [
    {
      table: 'nat',
      chain: 'POSTROUTING',
      insert: true,
      args: [
        '-s',
        clusterCidr,
        '-d',
        clusterCidr,
        '-m',
        'mark',
        '!',
        '--mark',
        MASQ_MARK,
        ...COMMENT,
        'tugboat: pod-to-pod traffic keeps its source address',
        '-j',
        'ACCEPT',
      ],
    },
    {
      table: 'filter',
      chain: 'FORWARD',
      insert: false,
      args: ['-s', clusterCidr, ...COMMENT, 'tugboat: forward traffic from pods', '-j', 'ACCEPT'],
    },
    {
      table: 'filter',
      chain: 'FORWARD',
      insert: false,
      args: ['-d', clusterCidr, ...COMMENT, 'tugboat: forward traffic to pods', '-j', 'ACCEPT'],
    },
  ];
}

export class PodRoutesAgent {
  private readonly log: Logger;
  private readonly runner: CommandRunner;
  private readonly syncRunner: SyncRunner;
  private readonly family: 4 | 6;
  private readonly vxlan: VxlanBackend | undefined;
  /** Next hops already reported as unreachable (reported once, not at every sync). */
  private readonly unreachable = new Set<string>();

  constructor(private readonly opts: PodRoutesAgentOptions) {
    this.log = opts.logger ?? silentLogger;
    this.runner = opts.runner ?? localRunner;
    this.family = isIP(opts.clusterCidr.split('/')[0] ?? '') === 6 ? 6 : 4;
    if (opts.backend === 'vxlan') {
      if (this.family !== 4) throw new Error('the vxlan backend needs an IPv4 cluster CIDR');
      const publish = opts.publish;
      if (!publish) throw new Error('the vxlan backend needs a way to publish its device on the Node');
      this.vxlan = new VxlanBackend({
        nodeName: opts.nodeName,
        runner: this.runner,
        publish,
        logger: this.log,
      });
    }
    this.syncRunner = new SyncRunner(() => this.sync(), {
      minIntervalMs: 1000,
      maxIntervalMs: 60_000,
      clock: opts.clock ?? realClock,
      onError: (err) => this.log.error('syncing pod network routes failed', { error: String(err) }),
    });
  }

  async start(): Promise<void> {
    await ensureRules(this.runner, this.opts.clusterCidr);
    // The backend comes with the agent's start: a node moved from vxlan to host-gw loses the device (with it,
    // everything routed over it) once, here.
    if (!this.vxlan && (await removeVxlanDevice(this.runner)))
      this.log.info('removed the VXLAN device (host-gw now)');
    const request = (): void => this.syncRunner.request();
    // Every heartbeat updates a Node's status: only a change of what routes are made of asks for a sync.
    const key = this.vxlan ? (n: Node) => routingKey(n) + vxlanKey(n) : routingKey;
    const update = (old: Node, cur: Node): void => {
      if (key(old) !== key(cur)) request();
    };
    this.opts.nodes.addEventHandler({ add: request, update, delete: request });
    this.opts.nodes.start();
    await this.opts.nodes.waitForSync();
    this.syncRunner.start();
  }

  /** Routes and rules stay: pods keep reaching each other while the agent restarts. */
  async stop(): Promise<void> {
    this.opts.nodes.stop();
    await this.syncRunner.stop();
  }

  private async sync(): Promise<void> {
    const ip = ['ip', `-${this.family}`];
    const nodes = this.opts.nodes.list();
    let desired: PodRoute[];
    if (this.vxlan) {
      const overlay = await this.vxlan.sync(nodes);
      if (!overlay) return; // this node has no pod CIDR or address yet: its Node's update asks again
      desired = overlay;
    } else {
      desired = desiredPodRoutes(nodes, this.opts.nodeName).filter((r) => isIP(r.via) === this.family);
    }
    const shown = await runChecked(this.runner, [...ip, '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL]);
    const { replace, remove } = routeChanges(parseRoutes(shown), desired);
    for (const r of remove) {
      await runChecked(this.runner, [...ip, 'route', 'del', r.cidr, 'proto', ROUTE_PROTOCOL]);
      this.log.info('removed the route to a pod network', { cidr: r.cidr, via: r.via });
    }
    for (const r of replace) await this.replace(ip, r);
    // Rules someone flushed come back.
    await ensureRules(this.runner, this.opts.clusterCidr);
  }

  private async replace(ip: string[], r: PodRoute): Promise<void> {
    const result = await this.runner.run([
      ...ip,
      'route',
      'replace',
      r.cidr,
      'via',
      r.via,
      ...(r.dev ? ['dev', r.dev, 'onlink'] : []),
      'proto',
      ROUTE_PROTOCOL,
    ]);
    if (result.code === 0) {
      this.unreachable.delete(r.via);
      this.log.info('routed a pod network', { cidr: r.cidr, via: r.via });
      return;
    }
    // Not on a local network: host-gw cannot reach that node's pods (the nodes need one link-layer network).
    if (!this.unreachable.has(r.via)) {
      this.unreachable.add(r.via);
      this.log.warn("cannot route to a node's pods: its address is not on a network this node is on", {
        cidr: r.cidr,
        via: r.via,
        error: result.stderr.trim(),
      });
    }
  }
}

/** Adds each rule that is missing (`iptables -C` first, so a rule is never there twice). */
async function ensureRules(runner: CommandRunner, clusterCidr: string): Promise<void> {
  for (const rule of podNetworkRules(clusterCidr)) {
    const base = [iptablesFor(clusterCidr), '-w', '-t', rule.table];
    if ((await runner.run([...base, '-C', rule.chain, ...rule.args])).code === 0) continue;
    const add = rule.insert ? ['-I', rule.chain, '1'] : ['-A', rule.chain];
    await runChecked(runner, [...base, ...add, ...rule.args]);
  }
}

/** Removes the agent's routes, VXLAN device and iptables rules (tests, and a node leaving the pod network). */
export async function removePodNetwork(
  clusterCidr: string,
  runner: CommandRunner = localRunner,
): Promise<void> {
  const family = isIP(clusterCidr.split('/')[0] ?? '') === 6 ? '-6' : '-4';
  const shown = await runChecked(runner, ['ip', family, '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL]);
  for (const r of parseRoutes(shown)) {
    await runner.run(['ip', family, 'route', 'del', r.cidr, 'proto', ROUTE_PROTOCOL]);
  }
  await removeVxlanDevice(runner);
  for (const rule of podNetworkRules(clusterCidr)) {
    const base = [iptablesFor(clusterCidr), '-w', '-t', rule.table];
    while ((await runner.run([...base, '-D', rule.chain, ...rule.args])).code === 0) {
      // a rule added twice by hand goes too
    }
  }
}

function iptablesFor(cidr: string): string {
  return isIP(cidr.split('/')[0] ?? '') === 6 ? 'ip6tables' : 'iptables';
}
