/**
 * Clearing stale UDP flows, as kube-proxy does after each sync. A UDP "connection" is a conntrack entry: once a
 * client's flow to a service was DNATed to an endpoint, its packets keep going there while the entry lives
 * (refreshed by every packet), even after the endpoint left the service; and packets sent while the service had
 * no endpoints made entries that were never DNATed at all. So every UDP flow addressed to a service (cluster IP,
 * external IP or node port) whose reply comes from an address that is not one of the service's serving
 * endpoints is deleted, and its next packet is balanced afresh. Services without endpoints are left alone.
 * Uses the `conntrack` tool (conntrack-tools); without it, this is off, with a warning.
 */
import type { Logger } from '../util/logger.js';
import type { CommandRunner } from './command-runner.js';
import { portKey, type EndpointInfo, type ServicePortInfo } from './service-ports.js';

/** The parts of a conntrack entry the cleanup looks at. */
export interface ConntrackFlow {
  protocol: string;
  /** Where the client sent it (original direction). */
  origDst: string;
  origDstPort: number;
  /** Who answers (reply direction): the endpoint once DNATed, else the original destination. */
  replySrc: string;
}

/** Deletes the flows to `origDst` (any address when absent) port `origDstPort` answered from `replySrc`. */
export interface ConntrackFilter {
  origDst?: string;
  origDstPort: number;
  replySrc: string;
}

/**
 * Entries as `conntrack -L` prints them: `udp 17 29 src=A dst=B sport=P dport=Q [UNREPLIED] src=B dst=A
 * sport=Q dport=P mark=0 use=1`, the first tuple being the original direction and the second the reply.
 */
export function parseConntrackFlows(text: string): ConntrackFlow[] {
  const flows: ConntrackFlow[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const protocol = words[0];
    if (!protocol || !words.some((w) => w.startsWith('src='))) continue;
    const seen: Record<string, string[]> = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq > 0) (seen[w.slice(0, eq)] ??= []).push(w.slice(eq + 1));
    }
    const origDst = seen.dst?.[0];
    const origDstPort = Number(seen.dport?.[0]);
    const replySrc = seen.src?.[1];
    if (origDst && replySrc && Number.isInteger(origDstPort)) {
      flows.push({ protocol, origDst, origDstPort, replySrc });
    }
  }
  return flows;
}

/** Serving endpoint IPs of each UDP frontend: `address:port` (cluster and external IPs) and node port. */
export interface UdpFrontends {
  byAddress: Map<string, Set<string>>;
  byNodePort: Map<number, Set<string>>;
}

/** The frontends of the UDP Services that have serving endpoints (others keep their flows, as upstream). */
export function udpFrontends(ports: ServicePortInfo[], endpoints: Map<string, EndpointInfo[]>): UdpFrontends {
  const byAddress = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  for (const p of ports) {
    if (p.protocol !== 'UDP') continue;
    const serving = (endpoints.get(portKey(p.namespace, p.serviceName, p.portName, p.protocol)) ?? [])
      .filter((e) => e.serving)
      .map((e) => e.ip);
    if (serving.length === 0) continue;
    const ips = new Set(serving);
    for (const address of [p.clusterIP, ...p.externalIPs]) byAddress.set(`${address}:${p.port}`, ips);
    if (p.nodePort !== 0) byNodePort.set(p.nodePort, ips);
  }
  return { byAddress, byNodePort };
}

/** upstream's CleanStaleEntries decision, pure: the filters that delete every stale UDP flow among `flows`. */
export function staleUdpFilters(
  flows: ConntrackFlow[],
  { byAddress, byNodePort }: UdpFrontends,
): ConntrackFilter[] {
  const filters = new Map<string, ConntrackFilter>();
  for (const f of flows) {
    if (f.protocol !== 'udp') continue;
    const toAddress = byAddress.get(`${f.origDst}:${f.origDstPort}`);
    if (toAddress && !toAddress.has(f.replySrc)) {
      const filter = { origDst: f.origDst, origDstPort: f.origDstPort, replySrc: f.replySrc };
      filters.set(JSON.stringify(filter), filter);
    }
    const toNodePort = byNodePort.get(f.origDstPort);
    if (toNodePort && !toNodePort.has(f.replySrc)) {
      const filter = { origDstPort: f.origDstPort, replySrc: f.replySrc };
      filters.set(JSON.stringify(filter), filter);
    }
  }
  return [...filters.values()];
}

export function deleteArgv(f: ConntrackFilter): string[] {
  return [
    'conntrack',
    '-D',
    '-p',
    'udp',
    ...(f.origDst ? ['--orig-dst', f.origDst] : []),
    '--orig-port-dst',
    String(f.origDstPort),
    '--reply-src',
    f.replySrc,
  ];
}

export class ConntrackCleaner {
  private unavailable = false;

  constructor(
    private readonly runner: CommandRunner,
    private readonly log: Logger,
  ) {}

  /** Deletes the stale UDP flows of these services; returns how many filters it applied. */
  async clean(ports: ServicePortInfo[], endpoints: Map<string, EndpointInfo[]>): Promise<number> {
    if (this.unavailable) return 0;
    const frontends = udpFrontends(ports, endpoints);
    // No UDP service with a serving endpoint: no flow can be stale, no listing.
    if (frontends.byAddress.size === 0 && frontends.byNodePort.size === 0) return 0;
    let listed;
    try {
      listed = await this.runner.run(['conntrack', '-L', '-p', 'udp']);
    } catch (err) {
      this.unavailable = true;
      this.log.warn(
        'conntrack (conntrack-tools) is not installed: stale UDP flows of services are not cleared',
        {
          error: (err as Error).message,
        },
      );
      return 0;
    }
    if (listed.code !== 0) {
      this.log.warn('conntrack -L failed: stale UDP flows of services are not cleared this sync', {
        error: listed.stderr.trim(),
      });
      return 0;
    }
    const filters = staleUdpFilters(parseConntrackFlows(listed.stdout), frontends);
    for (const f of filters) {
      // Exit 1 with "0 flow entries have been deleted" when the flow ended meanwhile: nothing to do.
      await this.runner.run(deleteArgv(f));
    }
    return filters.length;
  }
}
