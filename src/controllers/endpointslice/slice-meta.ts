import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../api/meta.js';
import { newControllerRef } from '../../api/owners.js';
import { HEADLESS_LABEL, isServiceIPSet } from '../endpointutil/pod-inclusion.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream's default --max-endpoints-per-slice. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export type AddressType = 'IPv4' | 'IPv6';

const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

function withoutReserved(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!RESERVED_LABELS.has(k)) out[k] = v;
  return out;
}

/**
 * Upstream setEndpointSliceLabels: the Service's labels, the headless marker, the service name and ours.
 * `changed` says whether the Service's own labels differ from the slice's (the reserved ones aside).
 */
export function sliceLabels(
  slice: EndpointSlice | undefined,
  service: Service,
): { labels: Record<string, string>; changed: boolean } {
  const labels = withoutReserved(service.metadata?.labels);
  const changed = !deepEqual(withoutReserved(slice?.metadata?.labels), labels);
  if (!isServiceIPSet(service)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return { labels, changed };
}

/** A new, still unnamed slice of the Service (upstream newEndpointSlice). */
export function newEndpointSlice(
  service: Service,
  ports: EndpointPort[],
  addressType: AddressType,
): EndpointSlice {
  const name = service.metadata?.name ?? '';
  return {
    addressType,
    metadata: {
      generateName: `${name}-`,
      namespace: service.metadata?.namespace ?? '',
      labels: sliceLabels(undefined, service).labels,
      ownerReferences: [newControllerRef(service, 'v1', 'Service')],
    },
    ports,
    endpoints: [],
  };
}

/** Upstream ownedBy: the slice names the Service (by UID) among its owners. */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some(
    (o) => o.uid === service.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1',
  );
}

const portText = (p: EndpointPort): string =>
  JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']);

/** Ports in a canonical order (upstream sorts them by hash): by name, number, protocol. */
export function sortPorts(ports: EndpointPort[]): EndpointPort[] {
  return ports
    .map((p) => ({ p, key: portText(p) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.p);
}

/** Identifies a set of ports whatever their order (upstream PortMapKey). */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return (ports ?? []).map(portText).sort().join(',');
}
