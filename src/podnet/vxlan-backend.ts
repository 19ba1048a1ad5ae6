/**
 * Applies the VXLAN plan (vxlan.ts) on this host: the device, its address, the annotations on this node's Node,
 * and the forwarding and neighbour entries towards the other nodes. The routes themselves are the agent's
 * (pod-routes-agent.ts), which installs them for both backends.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { isIP } from 'node:net';
import { runChecked, type CommandRunner } from '../proxy/command-runner.js';
import type { Logger } from '../util/logger.js';
import type { PodRoute } from './routes.js';
import {
  desiredVxlanPeers,
  deviceMac,
  entryChanges,
  interfaceWithAddress,
  linkMtu,
  networkAddress,
  parseFdb,
  parseNeighbors,
  parseVxlanDevice,
  podCidrs4,
  vtepAnnotations,
  VXLAN_DEVICE,
  VXLAN_OVERHEAD,
  VXLAN_PORT,
  VXLAN_VNI,
  type VxlanDeviceState,
} from './vxlan.js';

/** Merges annotations into this node's Node (a merge patch as the node). */
export type PublishAnnotations = (annotations: Record<string, string>) => Promise<void>;

export interface VxlanBackendOptions {
  nodeName: string;
  runner: CommandRunner;
  publish: PublishAnnotations;
  logger: Logger;
}

export class VxlanBackend {
  constructor(private readonly opts: VxlanBackendOptions) {}

  /**
   * Brings the device and the overlay entries in line with the nodes; returns the routes to the other nodes'
   * pod CIDRs, or undefined while this node has no pod CIDR or IPv4 InternalIP yet (routes are then left alone).
   */
  async sync(nodes: readonly Node[]): Promise<PodRoute[] | undefined> {
    const self = nodes.find((n) => n.metadata?.name === this.opts.nodeName);
    const localIp = self?.status?.addresses?.find(
      (a) => a.type === 'InternalIP' && isIP(a.address) === 4,
    )?.address;
    const ownCidr = self ? podCidrs4(self)[0] : undefined;
    if (!self || !localIp || !ownCidr) return undefined;

    const device = await this.ensureDevice(localIp);
    await this.ensureAddress(`${networkAddress(ownCidr)}/32`);
    const annotations = vtepAnnotations(device.mac, localIp);
    const published = self.metadata?.annotations ?? {};
    if (Object.entries(annotations).some(([k, v]) => published[k] !== v)) {
      await this.opts.publish(annotations);
      this.opts.logger.info('published the VXLAN device on the Node', { mac: device.mac, publicIp: localIp });
    }

    const peers = desiredVxlanPeers(nodes, this.opts.nodeName);
    await this.syncForwarding(new Map(peers.map((p) => [p.mac, p.dst])));
    await this.syncNeighbors(new Map(peers.map((p) => [p.gateway, p.mac])));
    return peers.map((p) => ({ cidr: p.cidr, via: p.gateway, dev: VXLAN_DEVICE }));
  }

  private run(argv: string[]): Promise<string> {
    return runChecked(this.opts.runner, argv);
  }

  /** The device as it should be: made again when its VNI, local address, port or MAC differ. */
  private async ensureDevice(localIp: string): Promise<VxlanDeviceState> {
    const mac = deviceMac(this.opts.nodeName);
    let state = await readDevice(this.opts.runner);
    const fits = (s: VxlanDeviceState): boolean =>
      s.vni === VXLAN_VNI && s.local === localIp && s.port === VXLAN_PORT && s.mac === mac;
    if (state && !fits(state)) {
      await this.run(['ip', 'link', 'del', VXLAN_DEVICE]);
      this.opts.logger.info('removed a VXLAN device made for other settings', { was: state });
      state = undefined;
    }
    if (!state) {
      const lower = interfaceWithAddress(await this.run(['ip', '-o', 'addr', 'show']), localIp);
      await this.run([
        'ip',
        'link',
        'add',
        VXLAN_DEVICE,
        'address',
        mac,
        'type',
        'vxlan',
        'id',
        String(VXLAN_VNI),
        'local',
        localIp,
        ...(lower ? ['dev', lower] : []),
        'dstport',
        String(VXLAN_PORT),
        'nolearning',
      ]);
      this.opts.logger.info('made the VXLAN device', { device: VXLAN_DEVICE, local: localIp, lower });
      state = await readDevice(this.opts.runner);
      if (!state) throw new Error(`${VXLAN_DEVICE} is not a VXLAN device after it was made`);
    }
    if (!state.up) await this.run(['ip', 'link', 'set', VXLAN_DEVICE, 'up']);
    return state;
  }

  /** The device holds exactly this node's pod network address (the source of host-to-pod traffic). */
  private async ensureAddress(address: string): Promise<void> {
    const shown = await this.run(['ip', '-4', '-o', 'addr', 'show', 'dev', VXLAN_DEVICE]);
    const held = [...shown.matchAll(/\binet (\S+)/g)].map((m) => m[1]!);
    if (held.length === 1 && held[0] === address) return;
    for (const other of held) await this.run(['ip', 'addr', 'del', other, 'dev', VXLAN_DEVICE]);
    await this.run(['ip', 'addr', 'add', address, 'dev', VXLAN_DEVICE]);
  }

  /** One forwarding entry per other node: frames for its device MAC go to its address. */
  private async syncForwarding(desired: Map<string, string>): Promise<void> {
    const current = parseFdb(await this.run(['bridge', 'fdb', 'show', 'dev', VXLAN_DEVICE]));
    const { write, remove } = entryChanges(current, desired);
    for (const mac of remove) await this.run(['bridge', 'fdb', 'del', mac, 'dev', VXLAN_DEVICE, 'self']);
    for (const [mac, dst] of write) {
      await this.run(['bridge', 'fdb', 'replace', mac, 'dev', VXLAN_DEVICE, 'dst', dst, 'self', 'permanent']);
    }
  }

  /** One permanent neighbour per other node: its network address has its device MAC. */
  private async syncNeighbors(desired: Map<string, string>): Promise<void> {
    const current = parseNeighbors(await this.run(['ip', '-4', 'neigh', 'show', 'dev', VXLAN_DEVICE]));
    const { write, remove } = entryChanges(current, desired);
    for (const address of remove) await this.run(['ip', 'neigh', 'del', address, 'dev', VXLAN_DEVICE]);
    for (const [address, mac] of write) {
      await this.run([
        'ip',
        'neigh',
        'replace',
        address,
        'lladdr',
        mac,
        'dev',
        VXLAN_DEVICE,
        'nud',
        'permanent',
      ]);
    }
  }
}

async function readDevice(runner: CommandRunner): Promise<VxlanDeviceState | undefined> {
  const shown = await runner.run(['ip', '-d', '-j', 'link', 'show', 'dev', VXLAN_DEVICE]);
  return shown.code === 0 ? parseVxlanDevice(shown.stdout) : undefined;
}

/** Removes the device (with it go its address, routes, neighbour and forwarding entries); absent is fine. */
export async function removeVxlanDevice(runner: CommandRunner): Promise<boolean> {
  const shown = await runner.run(['ip', 'link', 'show', 'dev', VXLAN_DEVICE]);
  if (shown.code !== 0) return false;
  await runChecked(runner, ['ip', 'link', 'del', VXLAN_DEVICE]);
  return true;
}

/**
 * The MTU pods get under VXLAN: that of the interface holding the node's address less the encapsulation
 * (1450 on the usual 1500), as flannel hands its MTU to the CNI bridge. Defaults to 1450 when not found.
 * Never rejects.
 */
export async function vxlanPodMtu(runner: CommandRunner, nodeIp: string): Promise<number> {
  const fallback = 1500 - VXLAN_OVERHEAD;
  // A host without `ip` (one for the process runtime) has no bridge to size: the usual MTU stands.
  const shown = (argv: string[]) => runner.run(argv).catch(() => undefined);
  const addrs = await shown(['ip', '-o', 'addr', 'show']);
  const lower = addrs?.code === 0 ? interfaceWithAddress(addrs.stdout, nodeIp) : undefined;
  if (!lower) return fallback;
  const link = await shown(['ip', '-o', 'link', 'show', 'dev', lower]);
  const mtu = link?.code === 0 ? linkMtu(link.stdout) : undefined;
  return mtu ? mtu - VXLAN_OVERHEAD : fallback;
}
