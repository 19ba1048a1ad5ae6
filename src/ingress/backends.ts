/**
 * From an Ingress backend (a Service and one of its ports, by number or name) to the pod addresses traffic goes
 * to: the ready endpoints of the Service's EndpointSlices for that port, or the serving-terminating ones when
 * none is ready (as kube-proxy falls back). The proxy goes to pods directly, as ingress controllers do, so no
 * service proxy is needed on the way. Pure.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { RouteTarget } from './route-table.js';

export interface Endpoint {
  ip: string;
  port: number;
}

export type Resolution =
  | { endpoints: Endpoint[] }
  | { error: 'resource backend' | 'no service' | 'no such port' | 'external name' | 'no endpoints' };

/** The endpoints of a route's backend, given its Service (if found) and that Service's EndpointSlices. */
export function resolveBackend(
  target: RouteTarget,
  service: Service | undefined,
  slices: readonly EndpointSlice[],
): Resolution {
  if (!target.service) return { error: 'resource backend' };
  if (!service) return { error: 'no service' };
  if (service.spec?.type === 'ExternalName') return { error: 'external name' };
  const want = target.service.port;
  const port = (service.spec?.ports ?? []).find((p) =>
    want.name !== undefined ? p.name === want.name : p.port === want.number,
  );
  if (!port || (port.protocol ?? 'TCP') !== 'TCP') return { error: 'no such port' };
  const portName = port.name ?? '';
  const ready: Endpoint[] = [];
  const terminating: Endpoint[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const slicePort = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP',
    );
    if (slicePort?.port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const key = `${ip}:${slicePort.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = ep.conditions ?? {};
      // An unset condition counts as true (upstream's reading of EndpointConditions).
      if (c.ready !== false) ready.push({ ip, port: slicePort.port });
      else if (c.serving !== false && c.terminating === true) terminating.push({ ip, port: slicePort.port });
    }
  }
  const endpoints = ready.length > 0 ? ready : terminating;
  return endpoints.length > 0 ? { endpoints } : { error: 'no endpoints' };
}
