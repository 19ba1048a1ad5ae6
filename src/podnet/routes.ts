/**
 * Routes to the other nodes' pod networks, as flannel's host-gw backend sets them: each node's pod CIDR is
 * reached through that node's InternalIP. Pure; the agent (pod-routes-agent.ts) applies them with `ip route`.
 */
import { isIP } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';

export interface PodRoute {
  /** The other node's pod CIDR. */
  cidr: string;
  /** Its InternalIP (host-gw), or its network address over the VXLAN device (`dev`, onlink). */
  via: string;
  dev?: string;
}

/**
 * Routes installed by the agent carry this routing protocol number, so it finds and removes its own and no one
 * else's (`ip route show proto 98`). Numbers under 254 without a registered name are free for local use.
 */
export const ROUTE_PROTOCOL = '98';

/** The route to every other node's pod CIDRs through its InternalIP of the same family. */
export function desiredPodRoutes(nodes: readonly Node[], self: string): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const node of nodes) {
    if (node.metadata?.name === self || node.metadata?.deletionTimestamp) continue;
    const cidrs = node.spec?.podCIDRs?.length
      ? node.spec.podCIDRs
      : node.spec?.podCIDR
        ? [node.spec.podCIDR]
        : [];
    const internal = (node.status?.addresses ?? [])
      .filter((a) => a.type === 'InternalIP')
      .map((a) => a.address);
    for (const cidr of cidrs) {
      const family = isIP(cidr.split('/')[0] ?? '');
      const via = internal.find((a) => isIP(a) === family);
      if (family && via) routes.push({ cidr, via });
    }
  }
  return routes.sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
}

/** Parses `ip -o route show proto 98` output: one route per line, `CIDR via ADDRESS dev IFACE …`. */
export function parseRoutes(text: string): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const via = words.indexOf('via');
    const cidr = words[0];
    if (!cidr || via < 0 || !words[via + 1]) continue;
    // A host route prints without its prefix length.
    const withPrefix = cidr.includes('/') ? cidr : `${cidr}/${isIP(cidr) === 6 ? 128 : 32}`;
    routes.push({ cidr: withPrefix, via: words[via + 1]! });
  }
  return routes;
}

/** What to replace (new or moved) and what to delete so `current` becomes `desired`. */
export function routeChanges(
  current: readonly PodRoute[],
  desired: readonly PodRoute[],
): { replace: PodRoute[]; remove: PodRoute[] } {
  const have = new Map(current.map((r) => [r.cidr, r.via]));
  const want = new Set(desired.map((r) => r.cidr));
  return {
    replace: desired.filter((r) => have.get(r.cidr) !== r.via),
    remove: current.filter((r) => !want.has(r.cidr)),
  };
}

/** What a Node's routes depend on: its pod CIDRs, InternalIPs and whether it is going away. */
export function routingKey(node: Node): string {
  const internal = (node.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP')
    .map((a) => a.address);
  return JSON.stringify([
    node.spec?.podCIDRs ?? node.spec?.podCIDR ?? null,
    internal,
    node.metadata?.deletionTimestamp ?? null,
  ]);
}
