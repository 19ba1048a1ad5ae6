import type {
  EndpointAddress,
  EndpointPort,
  Endpoints,
  EndpointSubset,
  Pod,
  Service,
} from 'kubernetes-types/core/v1.js';
import { cloneJson, deepEqual } from '../../api/meta.js';
import { isPodReady } from '../../api/pods.js';
import { rfc3339 } from '../../util/clock.js';
import { findPort } from '../../api/pod-ports.js';
import {
  HEADLESS_LABEL,
  isIPv6,
  isServiceIPSet,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../endpointutil/pod-inclusion.js';
import { LAST_CHANGE_TRIGGER_TIME } from '../endpointutil/trigger-time.js';
import { repackSubsets, truncateSubsets } from './subsets.js';

/**
 * Marks the Endpoints this controller writes, so it deletes only its own when their Service goes (upstream adds
 * it from 1.33; 1.32 deleted any Endpoints named like a deleted Service).
 */
export const MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpoint-controller';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * The pod's address for the Service (upstream podToEndpointAddressForService): the pod IP of the Service's
 * first IP family (for a Service without families: the family of its cluster IP, else of the pod IP).
 */
export function podAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  const ips = podIPs(pod);
  let v6: boolean;
  const family = service.spec?.ipFamilies?.[0];
  if (family) v6 = family === 'IPv6';
  else if (isServiceIPSet(service)) v6 = isIPv6(service.spec?.clusterIP ?? '');
  else v6 = isIPv6(pod.status?.podIP ?? ips[0] ?? '');
  const ip = ips.find((x) => isIPv6(x) === v6);
  if (!ip) return undefined;
  return {
    ip,
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
    },
  };
}

/**
 * The subsets for the Service's pods (upstream syncService's loop then RepackSubsets): each pod that belongs in
 * endpoints, ready or not (publishNotReadyAddresses counts every one as ready), for each Service port whose
 * target it has; a headless Service without ports lists the addresses alone.
 */
export function endpointSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podAddress(service, pod);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    const add = (ports: EndpointPort[]): void => {
      subsets.push(ready ? { addresses: [address], ports } : { notReadyAddresses: [address], ports });
    };
    if (servicePorts.length === 0) {
      if (service.spec?.clusterIP === 'None') add([]);
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      add([
        {
          ...(sp.name ? { name: sp.name } : {}),
          port,
          protocol: sp.protocol ?? 'TCP',
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        },
      ]);
    }
  }
  return repackSubsets(subsets);
}

/** The Endpoints labels: the Service's, the headless marker for a Service without cluster IP, and ours. */
export function endpointsLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...service.metadata?.labels };
  if (isServiceIPSet(service)) delete labels[HEADLESS_LABEL];
  else labels[HEADLESS_LABEL] = '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

/**
 * The Endpoints to write for the Service, or undefined when `current` already says it: same subsets, labels
 * and over-capacity marker. A changed trigger time alone is no reason to write. `current` is not modified.
 */
export function desiredEndpoints(
  service: Service,
  current: Endpoints | undefined,
  subsets: EndpointSubset[],
  triggerTimeMs: number | undefined,
): Endpoints | undefined {
  const truncated = truncateSubsets(subsets);
  const finalSubsets = truncated ?? subsets;
  const labels = endpointsLabels(service);
  if (
    current &&
    deepEqual(current.subsets ?? [], finalSubsets) &&
    deepEqual(current.metadata?.labels ?? {}, labels) &&
    (current.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated') === (truncated !== undefined)
  ) {
    return undefined;
  }
  const next: Endpoints = current
    ? cloneJson(current)
    : { metadata: { name: service.metadata?.name ?? '', namespace: service.metadata?.namespace ?? '' } };
  const metadata = (next.metadata ??= {});
  metadata.labels = labels;
  const annotations: Record<string, string> = { ...metadata.annotations };
  if (triggerTimeMs !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339(triggerTimeMs);
  else delete annotations[LAST_CHANGE_TRIGGER_TIME];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  next.subsets = finalSubsets;
  return next;
}
