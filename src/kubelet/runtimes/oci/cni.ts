/**
 * Runs a CNI network configuration list the way libcni does: each plugin binary in order for ADD (feeding the
 * previous result forward), in reverse for DEL, with the CNI_* environment protocol and the config on stdin.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PortMapping } from '../../cri/types.js';
import { firstHostAddress, parseCidr } from '../../../util/cidr.js';
import { run } from '../common/run.js';

export interface CniOptions {
  /** Directory holding the plugin binaries (Debian: /usr/lib/cni). */
  binDir: string;
  /** Where the conflist and the host-local IP allocations live (ours, so they are cleaned up with us). */
  confDir: string;
  networkName: string;
  bridgeName: string;
  /** Empty until the node has a pod CIDR (see OciRuntime.updateRuntimeConfig). */
  podCidr: string;
  /** Masquerade pod traffic leaving the pod CIDR (needs iptables). */
  ipMasq: boolean;
  /** MTU of the bridge and the pods' interfaces (the plugin's default when unset). */
  mtu?: number;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  [key: string]: unknown;
}

type PluginConf = Record<string, unknown> & { type: string; capabilities?: Record<string, boolean> };

export const REQUIRED_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'];
const CNI_VERSION = '1.0.0';

export class CniError extends Error {
  constructor(plugin: string, command: string, detail: string) {
    super(`CNI ${plugin} ${command}: ${detail}`);
    this.name = 'CniError';
  }
}

export class CniNetwork {
  constructor(readonly opts: CniOptions) {}

  get bridgeName(): string {
    return this.opts.bridgeName;
  }

  get ipamDir(): string {
    return path.join(this.opts.confDir, 'ipam');
  }

  get conflistPath(): string {
    return path.join(this.opts.confDir, `${this.opts.networkName}.conflist`);
  }

  conflist(): { cniVersion: string; name: string; plugins: PluginConf[] } {
    return {
      cniVersion: CNI_VERSION,
      name: this.opts.networkName,
      plugins: [
        {
          type: 'bridge',
          bridge: this.opts.bridgeName,
          isGateway: true,
          ipMasq: this.opts.ipMasq,
          hairpinMode: true,
          ...(this.opts.mtu ? { mtu: this.opts.mtu } : {}),
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: this.opts.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: this.ipamDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
  }

  /**
   * The bridge's address on the pod network (host-local's default gateway: the pod CIDR's first address),
   * creating the bridge with it now if the first pod's ADD has not yet; podCidr may be one about to be
   * configured. The bridge plugin takes an existing bridge that has exactly this address, so host services
   * (the node-local DNS) can bind to it before any pod.
   */
  async ensureGateway(podCidr = this.opts.podCidr): Promise<string> {
    const cidr = parseCidr(podCidr);
    const gateway = firstHostAddress(cidr);
    const bridge = this.opts.bridgeName;
    const family = cidr.family === 4 ? '-4' : '-6';
    const exists = await run(['ip', 'link', 'show', 'dev', bridge], { allowFailure: true });
    if (exists.code !== 0) {
      const mtu = this.opts.mtu ? ['mtu', String(this.opts.mtu)] : [];
      const added = await run(['ip', 'link', 'add', 'name', bridge, ...mtu, 'type', 'bridge'], {
        allowFailure: true,
      });
      // A pod's ADD may have created it meanwhile.
      if (added.code !== 0 && !/exists/i.test(added.stderr)) {
        throw new Error(`cannot create bridge ${bridge}: ${added.stderr.trim()}`);
      }
    }
    const shown = await run(['ip', '-o', family, 'addr', 'show', 'dev', bridge]);
    if (!shown.stdout.includes(` ${gateway}/${cidr.prefix} `)) {
      const added = await run(['ip', family, 'addr', 'add', `${gateway}/${cidr.prefix}`, 'dev', bridge], {
        allowFailure: true,
      });
      if (added.code !== 0 && !/exists/i.test(added.stderr)) {
        throw new Error(`cannot give ${bridge} the address ${gateway}: ${added.stderr.trim()}`);
      }
    }
    await run(['ip', 'link', 'set', 'dev', bridge, 'up']);
    return gateway;
  }

  /** Missing plugin binaries, by name. */
  async missingPlugins(): Promise<string[]> {
    const missing: string[] = [];
    for (const p of REQUIRED_PLUGINS) {
      try {
        await access(path.join(this.opts.binDir, p));
      } catch {
        missing.push(p);
      }
    }
    return missing;
  }

  /** Writes the conflist so operators can read what we run; we execute it from memory. */
  async writeConflist(): Promise<void> {
    await mkdir(this.ipamDir, { recursive: true });
    await writeFile(this.conflistPath, JSON.stringify(this.conflist(), null, 2));
  }

  /** portmap only runs for pods with hostPorts: without mappings it has nothing to do and costs an exec. */
  private plugins(ports: PortMapping[]): PluginConf[] {
    const hostPorts = ports.some((p) => p.hostPort > 0);
    return this.conflist().plugins.filter((p) => p.type !== 'portmap' || hostPorts);
  }

  async add(containerId: string, netns: string, ports: PortMapping[]): Promise<CniResult> {
    // lo and eth0 are independent: bring lo up while the chain runs.
    const loopback = this.exec('loopback', 'ADD', containerId, netns, 'lo', { type: 'loopback' });
    loopback.catch(() => {}); // awaited below; a chain failure must not leave it unhandled
    let prev: CniResult | undefined;
    for (const plugin of this.plugins(ports)) {
      prev = await this.exec(
        plugin.type,
        'ADD',
        containerId,
        netns,
        'eth0',
        this.pluginConf(plugin, ports, prev),
      );
    }
    await loopback;
    if (!prev) throw new Error('empty conflist');
    return prev;
  }

  /** CHECK of the bridge plugin; portmap 1.1.1's CHECK wrongly demands an ip6tables chain on IPv4-only pods. */
  async check(containerId: string, netns: string, ports: PortMapping[], result: CniResult): Promise<void> {
    for (const plugin of this.plugins([]).filter((p) => p.type !== 'portmap')) {
      await this.exec(
        plugin.type,
        'CHECK',
        containerId,
        netns,
        'eth0',
        this.pluginConf(plugin, ports, result),
      );
    }
  }

  /** Releases the IP, iptables rules and host veth. netns may be '' when the namespace is already gone. */
  async del(
    containerId: string,
    netns: string,
    ports: PortMapping[],
    result: CniResult | undefined,
  ): Promise<void> {
    for (const plugin of [...this.plugins(ports)].reverse()) {
      await this.exec(plugin.type, 'DEL', containerId, netns, 'eth0', this.pluginConf(plugin, ports, result));
    }
    if (netns) await this.exec('loopback', 'DEL', containerId, netns, 'lo', { type: 'loopback' });
  }

  private pluginConf(
    plugin: PluginConf,
    ports: PortMapping[],
    prev: CniResult | undefined,
  ): Record<string, unknown> {
    const { capabilities, ...conf } = plugin;
    const runtimeConfig: Record<string, unknown> = {};
    if (capabilities?.portMappings) {
      runtimeConfig.portMappings = ports
        .filter((p) => p.hostPort > 0)
        .map((p) => ({
          hostPort: p.hostPort,
          containerPort: p.containerPort,
          protocol: p.protocol.toLowerCase(),
          ...(p.hostIp ? { hostIP: p.hostIp } : {}),
        }));
    }
    return {
      ...conf,
      ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}),
      ...(prev ? { prevResult: prev } : {}),
    };
  }

  private async exec(
    type: string,
    command: 'ADD' | 'DEL' | 'CHECK',
    containerId: string,
    netns: string,
    ifname: string,
    conf: Record<string, unknown>,
  ): Promise<CniResult> {
    const env = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: containerId,
      CNI_NETNS: netns,
      CNI_IFNAME: ifname,
      CNI_PATH: this.opts.binDir,
    };
    const input = JSON.stringify({ cniVersion: CNI_VERSION, name: this.opts.networkName, ...conf });
    const res = await run([path.join(this.opts.binDir, type)], { input, env, allowFailure: true });
    if (res.code !== 0) {
      let detail = res.stderr.trim() || res.stdout.trim();
      try {
        const err = JSON.parse(res.stdout) as { msg?: string; details?: string };
        detail = [err.msg, err.details].filter(Boolean).join(': ');
      } catch {
        // not JSON: keep the raw text
      }
      throw new CniError(type, command, detail);
    }
    return command === 'ADD' && res.stdout.trim()
      ? (JSON.parse(res.stdout) as CniResult)
      : { cniVersion: CNI_VERSION };
  }
}

/** The container-side IPv4 address of an ADD result (without the prefix length). */
export function podIp(result: CniResult): string | undefined {
  return result.ips?.[0]?.address.split('/')[0];
}
