/**
 * Services and EndpointSlices as the proxy sees them: one entry per service port with the endpoints of that
 * port (upstream's ServicePortMap and EndpointsMap, IPv4 only). Pure.
 */
import { isIPv4 } from 'node:net';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { servicePortName } from './chain-names.js';

/** Services and slices with this label belong to another proxy (upstream's noProxyName filter). */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** Slices of headless services carry this label; the proxy ignores them. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_STICKY_SECONDS = 10_800;

export interface ServicePortInfo {
  /** `ns/name:port` (or `ns/name` for an unnamed port): the name comments and chain hashes use. */
  name: string;
  namespace: string;
  serviceName: string;
  portName: string;
  /** Upper case, as in the API: TCP, UDP or SCTP. */
  protocol: string;
  clusterIP: string;
  port: number;
  /** 0 when the service has no node port. */
  nodePort: number;
  externalIPs: string[];
  /** Load-balancer ingress IPs the proxy captures (status.loadBalancer.ingress, `ipMode` VIP or unset). */
  loadBalancerIPs: string[];
  /** spec.loadBalancerSourceRanges: only these clients reach the load-balancer IPs (all when empty). */
  loadBalancerSourceRanges: string[];
  /** Seconds a client sticks to its endpoint (`sessionAffinity: ClientIP`); undefined without affinity. */
  stickySeconds?: number;
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
}

export interface EndpointInfo {
  ip: string;
  port: number;
  /** `ip:port`, the endpoint's identity in chain hashes and comments. */
  endpoint: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this proxy's node. */
  local: boolean;
}

/** Reached from outside the cluster: node port, external or load-balancer IPs (upstream's ExternallyAccessible). */
export function externallyAccessible(p: ServicePortInfo): boolean {
  return p.nodePort !== 0 || p.externalIPs.length > 0 || p.loadBalancerIPs.length > 0;
}

/** Cluster endpoints are needed unless only internal traffic with the Local policy reaches the service. */
export function usesClusterEndpoints(p: ServicePortInfo): boolean {
  return !p.internalPolicyLocal || externallyAccessible(p);
}

export function usesLocalEndpoints(p: ServicePortInfo): boolean {
  return p.internalPolicyLocal || (p.externalPolicyLocal && externallyAccessible(p));
}

/** Plain code-unit order (Go's string comparison), for rule order that never depends on the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const byEndpoint = (a: EndpointInfo, b: EndpointInfo): number =>
  compareStrings(a.endpoint, b.endpoint);

/** The key joining a service port with the slice ports that serve it. */
export function portKey(namespace: string, service: string, portName: string, protocol: string): string {
  return `${servicePortName(namespace, service, portName)}/${protocol}`;
}

/**
 * The proxied ports of a service; none for ExternalName services, headless services (clusterIP None or the
 * `service.kubernetes.io/headless` label, which kube-proxy's label selector leaves out), services without a
 * cluster IP yet, IPv6 services, and services handled by another proxy.
 */
export function servicePorts(svc: Service): ServicePortInfo[] {
  const spec = svc.spec;
  const labels = svc.metadata?.labels ?? {};
  if (!spec || spec.type === 'ExternalName' || SERVICE_PROXY_NAME_LABEL in labels || HEADLESS_LABEL in labels)
    return [];
  const clusterIP = spec.clusterIP ?? '';
  if (!isIPv4(clusterIP)) return [];
  const namespace = svc.metadata?.namespace ?? '';
  const serviceName = svc.metadata?.name ?? '';
  const external =
    spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs?.length ?? 0) > 0;
  const externalIPs = (spec.externalIPs ?? []).filter((ip) => isIPv4(ip));
  // An ingress in Proxy mode is reached through the load balancer itself, which sends to the node ports.
  const loadBalancerIPs =
    spec.type === 'LoadBalancer'
      ? (svc.status?.loadBalancer?.ingress ?? [])
          .filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy')
          .map((i) => i.ip!)
      : [];
  const loadBalancerSourceRanges = (spec.loadBalancerSourceRanges ?? [])
    .map((r) => r.trim())
    .filter((r) => isIPv4(r.split('/')[0] ?? ''));
  const sticky =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_STICKY_SECONDS)
      : undefined;
  return (spec.ports ?? []).map((p) => ({
    name: servicePortName(namespace, serviceName, p.name ?? ''),
    namespace,
    serviceName,
    portName: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
    clusterIP,
    port: p.port,
    nodePort: spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? (p.nodePort ?? 0) : 0,
    externalIPs,
    loadBalancerIPs,
    loadBalancerSourceRanges,
    ...(sticky !== undefined ? { stickySeconds: sticky } : {}),
    internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
    externalPolicyLocal: external && spec.externalTrafficPolicy === 'Local',
  }));
}

/**
 * Endpoints of every service port (by `portKey`) from the IPv4 slices, merged across a service's slices,
 * deduplicated by `ip:port` (a local copy wins) and sorted by it, as upstream's EndpointSliceCache does.
 * Conditions default as upstream: ready and serving when unset, terminating only when set.
 */
export function endpointsByServicePort(
  slices: EndpointSlice[],
  nodeName: string,
): Map<string, EndpointInfo[]> {
  const merged = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    const labels = slice.metadata?.labels ?? {};
    const service = labels[SERVICE_NAME_LABEL];
    if (!service || slice.addressType !== 'IPv4') continue;
    if (SERVICE_PROXY_NAME_LABEL in labels || HEADLESS_LABEL in labels) continue;
    const namespace = slice.metadata?.namespace ?? '';
    for (const port of slice.ports ?? []) {
      if (!port.port) continue;
      const key = portKey(namespace, service, port.name ?? '', port.protocol ?? 'TCP');
      let set = merged.get(key);
      if (!set) merged.set(key, (set = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip || !isIPv4(ip)) continue;
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: port.port,
          endpoint: `${ip}:${port.port}`,
          ready,
          serving: ep.conditions?.serving ?? true,
          terminating: ep.conditions?.terminating ?? false,
          local: ep.nodeName !== undefined && ep.nodeName === nodeName,
        };
        if (!set.has(info.endpoint) || info.local) set.set(info.endpoint, info);
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [key, set] of merged) {
    out.set(key, [...set.values()].sort(byEndpoint));
  }
  return out;
}
