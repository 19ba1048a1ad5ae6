import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { isPodTerminal } from '../../api/pods.js';

/** The label marking Endpoints and EndpointSlices of a headless Service (upstream v1.IsHeadlessService). */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/**
 * Upstream ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless `includeTerminating`
 * (the Endpoints controller passes publishNotReadyAddresses; the EndpointSlice controller always includes
 * terminating pods and marks them so).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs?.length ?? 0) === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The pod's hostname goes into its endpoint when its subdomain names the Service (upstream ShouldSetHostname). */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec.subdomain === service.metadata?.name &&
    pod.metadata?.namespace === service.metadata?.namespace
  );
}

/** A cluster IP other than None (upstream IsServiceIPSet); a Service without one is headless. */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** The Service's selector when it has one; services without one get no endpoints from the controllers. */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/** Whether the endpoint controllers manage this Service's endpoints: a selector, and not ExternalName. */
export function hasManagedEndpoints(service: Service): boolean {
  return service.spec?.type !== 'ExternalName' && serviceSelector(service) !== undefined;
}

/** The pod's IPs: status.podIPs, or status.podIP alone where a writer set only that. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}
