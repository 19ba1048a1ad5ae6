/**
 * The VXLAN backend's plan, as flannel's vxlan backend (k3s's default) lays it out: every node has a VXLAN
 * device (VNI 1, UDP port 8472) holding its pod CIDR's network address, and publishes the device's MAC and its
 * own address on its Node in flannel's annotations. Towards each other node's pod CIDR it keeps three entries:
 * a route through that node's network address (onlink, over the device), a permanent neighbour entry giving
 * that address the node's device MAC, and a forwarding entry sending frames for that MAC to the node's address.
 * Nodes then only need to reach each other over UDP, on any network. Pure; vxlan-backend.ts applies it.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { bigIntToIp, parseCidr } from '../util/cidr.js';

export const VXLAN_DEVICE = 'tugboat-vxlan';
export const VXLAN_VNI = 1;
/** Linux's VXLAN port, which flannel uses by default (not IANA's 4789). */
export const VXLAN_PORT = 8472;
/** Outer IPv4, UDP and VXLAN headers plus the inner Ethernet header. */
export const VXLAN_OVERHEAD = 50;

/** flannel's Node annotations, so a node reads as it does in a k3s cluster. */
export const ANN_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';
export const ANN_BACKEND_TYPE = 'flannel.alpha.coreos.com/backend-type';
export const ANN_PUBLIC_IP = 'flannel.alpha.coreos.com/public-ip';

/** Another node's end of the overlay, for one of its pod CIDRs. */
export interface VxlanPeer {
  /** The node's pod CIDR. */
  cidr: string;
  /** Its network address: the address of the node's device, the routes' next hop. */
  gateway: string;
  /** The node's device MAC. */
  mac: string;
  /** Where its VXLAN packets go: the node's public IP. */
  dst: string;
}

/** The annotations a node publishes for its device. */
export function vtepAnnotations(mac: string, publicIp: string): Record<string, string> {
  return {
    [ANN_BACKEND_DATA]: JSON.stringify({ VNI: VXLAN_VNI, VtepMAC: mac }),
    [ANN_BACKEND_TYPE]: 'vxlan',
    [ANN_PUBLIC_IP]: publicIp,
  };
}

/** The device MAC a Node publishes, if it runs the vxlan backend. */
export function vtepMac(node: Node): string | undefined {
  const annotations = node.metadata?.annotations ?? {};
  if (annotations[ANN_BACKEND_TYPE] !== 'vxlan') return undefined;
  try {
    const data = JSON.parse(annotations[ANN_BACKEND_DATA] ?? '') as { VtepMAC?: unknown };
    return typeof data.VtepMAC === 'string' && isMac(data.VtepMAC) ? data.VtepMAC.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Where a node's VXLAN packets go: its published public IP, else its InternalIP (IPv4). */
export function vtepAddress(node: Node): string | undefined {
  const published = node.metadata?.annotations?.[ANN_PUBLIC_IP];
  if (published && isIP(published) === 4) return published;
  return (node.status?.addresses ?? []).find((a) => a.type === 'InternalIP' && isIP(a.address) === 4)
    ?.address;
}

/** The IPv4 pod CIDRs of a node. */
export function podCidrs4(node: Node): string[] {
  const cidrs = node.spec?.podCIDRs?.length
    ? node.spec.podCIDRs
    : node.spec?.podCIDR
      ? [node.spec.podCIDR]
      : [];
  return cidrs.filter((c) => isIP(c.split('/')[0] ?? '') === 4);
}

/** A pod CIDR's network address (10.42.2.0/24 → 10.42.2.0). */
export function networkAddress(cidr: string): string {
  const parsed = parseCidr(cidr);
  return bigIntToIp(parsed.network, parsed.family);
}

/** Every other node that publishes a device, one peer per IPv4 pod CIDR, sorted by CIDR. */
export function desiredVxlanPeers(nodes: readonly Node[], self: string): VxlanPeer[] {
  const peers: VxlanPeer[] = [];
  for (const node of nodes) {
    if (node.metadata?.name === self || node.metadata?.deletionTimestamp) continue;
    const mac = vtepMac(node);
    const dst = vtepAddress(node);
    if (!mac || !dst) continue;
    for (const cidr of podCidrs4(node)) peers.push({ cidr, gateway: networkAddress(cidr), mac, dst });
  }
  return peers.sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
}

/** What a Node's overlay entries depend on (besides what its routes do): the annotations it publishes. */
export function vxlanKey(node: Node): string {
  const a = node.metadata?.annotations ?? {};
  return JSON.stringify([a[ANN_BACKEND_TYPE] ?? null, a[ANN_BACKEND_DATA] ?? null, a[ANN_PUBLIC_IP] ?? null]);
}

/**
 * A stable, locally administered unicast MAC for a node's device, so a device made again (after a reboot)
 * keeps the address the other nodes already know.
 */
export function deviceMac(nodeName: string): string {
  const bytes = createHash('sha256').update(`tugboat-vxlan/${nodeName}`).digest().subarray(0, 6);
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function isMac(text: string): boolean {
  return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text);
}

/** Forwarding entries of `bridge fdb show dev DEVICE` that send to an address: MAC → destination. */
export function parseFdb(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const dst = words.indexOf('dst');
    const mac = words[0];
    if (mac && isMac(mac) && dst > 0 && words[dst + 1]) entries.set(mac.toLowerCase(), words[dst + 1]!);
  }
  return entries;
}

/** Neighbour entries of `ip -4 neigh show dev DEVICE`: address → MAC (entries without one are left out). */
export function parseNeighbors(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const lladdr = words.indexOf('lladdr');
    const address = words[0];
    const mac = lladdr > 0 ? words[lladdr + 1] : undefined;
    if (address && isIP(address) && mac && isMac(mac)) entries.set(address, mac.toLowerCase());
  }
  return entries;
}

/** The entries to write and to remove so `current` (key → value) becomes `desired`. */
export function entryChanges(
  current: ReadonlyMap<string, string>,
  desired: ReadonlyMap<string, string>,
): { write: [string, string][]; remove: string[] } {
  return {
    write: [...desired].filter(([k, v]) => current.get(k) !== v),
    remove: [...current.keys()].filter((k) => !desired.has(k)),
  };
}

/** What `ip -d -j link show dev DEVICE` says of a VXLAN device. */
export interface VxlanDeviceState {
  mac: string;
  vni?: number;
  local?: string;
  port?: number;
  up: boolean;
}

/** Parses `ip -d -j link show dev DEVICE`; undefined when it is not a VXLAN device. */
export function parseVxlanDevice(json: string): VxlanDeviceState | undefined {
  let links: unknown;
  try {
    links = JSON.parse(json);
  } catch {
    return undefined;
  }
  const link = Array.isArray(links) ? (links[0] as Record<string, unknown> | undefined) : undefined;
  const info = link?.linkinfo as { info_kind?: string; info_data?: Record<string, unknown> } | undefined;
  if (!link || info?.info_kind !== 'vxlan') return undefined;
  const data = info.info_data ?? {};
  const flags = Array.isArray(link.flags) ? (link.flags as unknown[]) : [];
  return {
    mac: typeof link.address === 'string' ? link.address.toLowerCase() : '',
    ...(typeof data.id === 'number' ? { vni: data.id } : {}),
    ...(typeof data.local === 'string' ? { local: data.local } : {}),
    ...(typeof data.port === 'number' ? { port: data.port } : {}),
    up: flags.includes('UP'),
  };
}

/** The interface holding an address, from `ip -o addr show` (`3: eth0    inet 192.0.2.1/24 …`). */
export function interfaceWithAddress(text: string, address: string): string | undefined {
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const inet = words.findIndex((w) => w === 'inet' || w === 'inet6');
    if (inet > 0 && words[inet + 1]?.split('/')[0] === address) return words[1]?.replace(/@.*$/, '');
  }
  return undefined;
}

/** The MTU of the first link in `ip -o link show dev IFACE` (`2: eth0: <…> mtu 1500 qdisc …`). */
export function linkMtu(text: string): number | undefined {
  const m = /\bmtu (\d+)\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}
