/** Builders of Services and EndpointSlices for the proxy's tests. */
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL } from './service-ports.js';

export function service(
  namespace: string,
  name: string,
  spec: ServiceSpec,
  labels?: Record<string, string>,
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, ...(labels ? { labels } : {}) },
    spec: { type: 'ClusterIP', ...spec },
  };
}

export function slice(
  namespace: string,
  name: string,
  serviceName: string,
  endpoints: Endpoint[],
  ports: EndpointPort[],
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { [SERVICE_NAME_LABEL]: serviceName } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

/** A ready endpoint, optionally on a node. */
export function ready(ip: string, nodeName?: string): Endpoint {
  return { addresses: [ip], conditions: { ready: true }, ...(nodeName ? { nodeName } : {}) };
}

/** An endpoint of a terminating pod that still serves. */
export function terminating(ip: string, serving = true): Endpoint {
  return { addresses: [ip], conditions: { ready: false, serving, terminating: true } };
}
