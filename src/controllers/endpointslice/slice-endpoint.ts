import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { isPodReady } from '../../api/pods.js';
import { findPort } from '../../api/pod-ports.js';
import { isIPv6, podIPs, shouldSetHostname } from '../endpointutil/pod-inclusion.js';
import type { AddressType } from './slice-meta.js';
import { sortPorts } from './slice-meta.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * Upstream podToEndpoint: the pod's IPs of the address type, and its conditions. serving is the pod's Ready
 * condition, whether or not it terminates; ready is serving and not terminating, or always true when the
 * Service publishes not-ready addresses.
 */
export function podToEndpoint(
  pod: Pod,
  node: Node | undefined,
  service: Service,
  addressType: AddressType,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const zone = node?.metadata?.labels?.[ZONE_LABEL];
  return {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
    },
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone ? { zone } : {}),
  };
}

/**
 * Upstream getEndpointPorts: one port per Service port whose target the pod has (a named targetPort resolved
 * against the pod's container ports); none for a headless Service without ports.
 */
export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return sortPorts(ports);
}

/**
 * The address types the Service's slices carry (upstream getAddressTypesForService): its IP families; without
 * them, the family of its cluster IP, or both for a headless Service.
 */
export function addressTypesForService(service: Service): Set<AddressType> {
  const types = new Set<AddressType>();
  for (const family of service.spec?.ipFamilies ?? []) {
    if (family === 'IPv4') types.add('IPv4');
    if (family === 'IPv6') types.add('IPv6');
  }
  if (types.size > 0) return types;
  const ip = service.spec?.clusterIP ?? '';
  if (ip !== '' && ip !== 'None') return new Set([isIPv6(ip) ? 'IPv6' : 'IPv4']);
  return new Set(['IPv4', 'IPv6']);
}

/** Endpoints are the same one when they have the same addresses, hostname and pod (upstream hashEndpoint). */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([
    [...ep.addresses].sort(),
    ep.hostname ?? '',
    ep.targetRef?.namespace ?? '',
    ep.targetRef?.name ?? '',
  ]);
}
