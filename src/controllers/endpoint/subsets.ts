import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';

/** Upstream maxCapacity: the most addresses one Endpoints object holds before it is truncated. */
export const MAX_ENDPOINTS_ADDRESSES = 1000;

const addressKey = (a: EndpointAddress): string => `${a.ip}|${a.targetRef?.uid ?? ''}`;

const portKey = (p: EndpointPort): string =>
  JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);

/** A port standing for "no ports", so addresses of a headless Service without ports are kept (as upstream). */
const NO_PORTS = '<none>';

/**
 * Upstream RepackSubsets: expands subsets to (port → addresses with readiness), then groups the ports that
 * share exactly the same addresses into one subset. An address not ready for a port stays not ready there
 * even when another entry says ready. The result is sorted (see sortSubsets), so equal inputs give equal JSON.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: EndpointPort | undefined; ready: Map<string, boolean> }>();
  const record = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean): void => {
    const aKey = addressKey(addr);
    if (!addresses.has(aKey)) addresses.set(aKey, addr);
    const pKey = port ? portKey(port) : NO_PORTS;
    let entry = byPort.get(pKey);
    if (!entry) byPort.set(pKey, (entry = { port, ready: new Map() }));
    if (entry.ready.get(aKey) !== false) entry.ready.set(aKey, ready);
  };
  for (const subset of subsets) {
    const ports: (EndpointPort | undefined)[] = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) {
      for (const a of subset.addresses ?? []) record(port, a, true);
      for (const a of subset.notReadyAddresses ?? []) record(port, a, false);
    }
  }

  // Ports offered by the same addresses (with the same readiness) share a subset.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = JSON.stringify([...ready].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ready, ports: [] }));
    if (port) group.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const { ready, ports } of groups.values()) {
    const readyAddrs: EndpointAddress[] = [];
    const notReadyAddrs: EndpointAddress[] = [];
    for (const [key, isReady] of ready) (isReady ? readyAddrs : notReadyAddrs).push(addresses.get(key)!);
    out.push(subset(readyAddrs, notReadyAddrs, ports));
  }
  return sortSubsets(out);
}

/** A subset with its empty lists left out, as the API serializes them (omitempty). */
function subset(
  ready: EndpointAddress[],
  notReady: EndpointAddress[],
  ports: EndpointPort[],
): EndpointSubset {
  return {
    ...(ready.length > 0 ? { addresses: ready } : {}),
    ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
}

/** Upstream LessEndpointAddress: by IP, then by the target's UID (no target first). */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const x = a.targetRef?.uid;
  const y = b.targetRef?.uid;
  if (x === y) return 0;
  if (x === undefined) return -1;
  if (y === undefined) return 1;
  return x < y ? -1 : 1;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Upstream SortSubsets orders by hashes of the Go values; any total order keeps the objects stable. Here:
 * addresses by IP and UID, ports by name, number, protocol, subsets by their content.
 */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const s of subsets) {
    s.addresses?.sort(compareAddresses);
    s.notReadyAddresses?.sort(compareAddresses);
    s.ports?.sort((a, b) => compareText(portKey(a), portKey(b)));
  }
  const keyed = subsets.map((s) => ({ s, key: JSON.stringify(s) }));
  keyed.sort((a, b) => compareText(a.key, b.key));
  return keyed.map((k) => k.s);
}

/**
 * Upstream truncateEndpoints: keeps at most MAX_ENDPOINTS_ADDRESSES addresses, ready ones first. When the ready
 * addresses alone exceed it, every subset keeps its proportional share of them (rounded up, capped by what is
 * left) and no not-ready ones; otherwise the not-ready addresses are cut in the same way. Returns undefined
 * when nothing needs cutting.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] | undefined {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_ENDPOINTS_ADDRESSES) return undefined;
  const truncateReady = totalReady > MAX_ENDPOINTS_ADDRESSES;
  const max = truncateReady ? MAX_ENDPOINTS_ADDRESSES : MAX_ENDPOINTS_ADDRESSES - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = max;
  const out = subsets.map((s) => {
    const inSubset = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const share = Math.min(Math.ceil((inSubset / total) * max), left);
    const ready = truncateReady ? (s.addresses ?? []).slice(0, share) : (s.addresses ?? []);
    const notReady = truncateReady ? [] : (s.notReadyAddresses ?? []).slice(0, share);
    left -= truncateReady ? ready.length : notReady.length;
    return subset(ready, notReady, s.ports ?? []);
  });
  // A subset left without addresses would be invalid; upstream never gets there in practice.
  return out.filter((s) => s.addresses || s.notReadyAddresses);
}
