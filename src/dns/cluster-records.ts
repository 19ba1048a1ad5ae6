/**
 * What the cluster DNS answers from: Namespaces, Services and EndpointSlices reduced to the facts DNS needs,
 * indexed by name and by address. Kept current by the informers' events (see informer-records.ts); pure, so the
 * lookup is table-tested from plain objects.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';
import { canonicalIp, dashedAddress } from './names.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A port a record can name; port -1 when an EndpointSlice declares none (A records only, no SRV). */
export interface PortRecord {
  name: string;
  port: number;
  protocol: string;
}

export interface ServiceRecord {
  namespace: string;
  name: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  /** Canonical addresses (spec.clusterIPs, IPv4 and IPv6 for dual-stack). */
  clusterIps: string[];
  /** Normalized target of an ExternalName service. */
  externalName: string;
  ports: PortRecord[];
  publishNotReadyAddresses: boolean;
}

export interface EndpointAddress {
  ip: string;
  /** The endpoint's hostname, else its dashed address (CoreDNS's default endpoint name). */
  hostname: string;
  ready: boolean;
}

/** One EndpointSlice: its addresses share its ports. */
export interface EndpointGroup {
  ports: PortRecord[];
  addresses: EndpointAddress[];
}

interface SliceEntry extends EndpointGroup {
  serviceKey: string;
}

const NO_PORT: PortRecord = { name: '', port: -1, protocol: '' };

export function serviceRecord(svc: Service): ServiceRecord {
  const spec = svc.spec ?? {};
  const kind =
    spec.type === 'ExternalName' ? 'ExternalName' : spec.clusterIP === 'None' ? 'Headless' : 'ClusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return {
    namespace: svc.metadata?.namespace ?? '',
    name: svc.metadata?.name ?? '',
    kind,
    clusterIps: kind === 'ClusterIP' ? ips.flatMap((ip) => canonicalIp(ip) ?? []) : [],
    externalName: (spec.externalName ?? '').toLowerCase().replace(/\.$/, ''),
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
    })),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
}

function sliceEntry(slice: EndpointSlice): SliceEntry | undefined {
  const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (!service || slice.addressType === 'FQDN') return undefined;
  const ports = (slice.ports ?? []).flatMap((p) =>
    p.port === undefined ? [] : [{ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }],
  );
  const addresses: EndpointAddress[] = [];
  for (const ep of slice.endpoints ?? []) {
    // A nil ready condition means unknown, which consumers treat as ready.
    const ready = ep.conditions?.ready !== false;
    for (const text of ep.addresses ?? []) {
      const ip = canonicalIp(text);
      if (ip) addresses.push({ ip, hostname: ep.hostname?.toLowerCase() || dashedAddress(ip), ready });
    }
  }
  return {
    serviceKey: `${slice.metadata?.namespace ?? ''}/${service}`,
    ports: ports.length ? ports : [NO_PORT],
    addresses,
  };
}

function addToIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}

export class ClusterRecords {
  private readonly namespaces = new Set<string>();
  private readonly services = new Map<string, ServiceRecord>();
  private readonly slices = new Map<string, SliceEntry>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly servicesByIp = new Map<string, Set<string>>();
  private readonly slicesByIp = new Map<string, Set<string>>();
  private modified: number;
  private isSynced = false;

  constructor(private readonly clock: Clock) {
    this.modified = this.now();
  }

  /** Whether every source has been listed once; until then a missing name may only be missing from us. */
  get synced(): boolean {
    return this.isSynced;
  }

  markSynced(): void {
    this.isSynced = true;
  }

  /** The SOA serial: when the records last changed, in Unix seconds (as CoreDNS's). */
  get serial(): number {
    return this.modified;
  }

  setNamespace(name: string): void {
    if (this.namespaces.has(name)) return;
    this.namespaces.add(name);
    this.touch();
  }

  deleteNamespace(name: string): void {
    if (this.namespaces.delete(name)) this.touch();
  }

  setService(svc: Service): void {
    const record = serviceRecord(svc);
    const key = `${record.namespace}/${record.name}`;
    this.deleteService(record.namespace, record.name);
    this.services.set(key, record);
    for (const ip of record.clusterIps) addToIndex(this.servicesByIp, ip, key);
    this.touch();
  }

  deleteService(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.services.get(key);
    if (!old) return;
    for (const ip of old.clusterIps) removeFromIndex(this.servicesByIp, ip, key);
    this.services.delete(key);
    this.touch();
  }

  setEndpointSlice(slice: EndpointSlice): void {
    const key = `${slice.metadata?.namespace ?? ''}/${slice.metadata?.name ?? ''}`;
    this.deleteEndpointSlice(slice.metadata?.namespace ?? '', slice.metadata?.name ?? '');
    const entry = sliceEntry(slice);
    if (!entry) return;
    this.slices.set(key, entry);
    addToIndex(this.slicesByService, entry.serviceKey, key);
    for (const a of entry.addresses) addToIndex(this.slicesByIp, a.ip, key);
    this.touch();
  }

  deleteEndpointSlice(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.slices.get(key);
    if (!old) return;
    removeFromIndex(this.slicesByService, old.serviceKey, key);
    for (const a of old.addresses) removeFromIndex(this.slicesByIp, a.ip, key);
    this.slices.delete(key);
    this.touch();
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  service(namespace: string, name: string): ServiceRecord | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  /** The service's endpoints DNS publishes: the ready ones, or all with publishNotReadyAddresses. */
  endpoints(svc: ServiceRecord): EndpointGroup[] {
    const out: EndpointGroup[] = [];
    for (const sliceKey of this.slicesByService.get(`${svc.namespace}/${svc.name}`) ?? []) {
      const slice = this.slices.get(sliceKey);
      if (!slice) continue;
      const addresses = slice.addresses.filter((a) => a.ready || svc.publishNotReadyAddresses);
      if (addresses.length) out.push({ ports: slice.ports, addresses });
    }
    return out;
  }

  /**
   * Names for a PTR answer, relative to the zone: the service owning the cluster IP (`svc.ns.svc`), else every
   * published endpoint with that address (`host.svc.ns.svc`), as CoreDNS's reverse lookup.
   */
  reverseNames(ip: string): string[] {
    for (const key of this.servicesByIp.get(ip) ?? []) {
      const svc = this.services.get(key);
      if (svc) return [`${svc.name}.${svc.namespace}.svc`];
    }
    const names = new Set<string>();
    for (const sliceKey of this.slicesByIp.get(ip) ?? []) {
      const slice = this.slices.get(sliceKey);
      const svc = slice && this.services.get(slice.serviceKey);
      if (!slice || !svc) continue;
      for (const a of slice.addresses) {
        if (a.ip === ip && (a.ready || svc.publishNotReadyAddresses)) {
          names.add(`${a.hostname}.${svc.name}.${svc.namespace}.svc`);
        }
      }
    }
    return [...names];
  }

  private now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private touch(): void {
    this.modified = this.now();
  }
}
