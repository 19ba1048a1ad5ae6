/**
 * Which endpoints a service port uses on this node (upstream's CategorizeEndpoints, without topology hints):
 * ready endpoints, or the serving-and-terminating ones when none is ready, chosen separately for the Cluster
 * and the Local traffic policy. Pure.
 */
import {
  byEndpoint,
  usesClusterEndpoints,
  usesLocalEndpoints,
  type EndpointInfo,
  type ServicePortInfo,
} from './service-ports.js';

export interface CategorizedEndpoints {
  /** Endpoints for the Cluster policy; empty when the port never uses it. */
  cluster: EndpointInfo[];
  /** This node's endpoints for the Local policy; empty when the port never uses it. */
  local: EndpointInfo[];
  /** Union of the two: the endpoints that get a KUBE-SEP chain. */
  reachable: EndpointInfo[];
  /** Whether the service has a usable endpoint anywhere in the cluster. */
  hasAny: boolean;
}

const servingTerminating = (ep: EndpointInfo): boolean => ep.serving && ep.terminating;

export function categorizeEndpoints(port: ServicePortInfo, endpoints: EndpointInfo[]): CategorizedEndpoints {
  let cluster: EndpointInfo[] = [];
  let local: EndpointInfo[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(port)) {
    cluster = endpoints.filter((ep) => ep.ready);
    if (cluster.length === 0) cluster = endpoints.filter(servingTerminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(port)) return { cluster, local, reachable: cluster, hasAny };

  hasAny ||= endpoints.some((ep) => ep.ready || servingTerminating(ep));
  local = endpoints.filter((ep) => ep.local && ep.ready);
  if (local.length === 0) local = endpoints.filter((ep) => ep.local && servingTerminating(ep));
  if (!usesClusterEndpoints(port)) return { cluster, local, reachable: local, hasAny };

  const union = new Map<string, EndpointInfo>();
  for (const ep of [...cluster, ...local]) union.set(ep.endpoint, ep);
  const reachable = [...union.values()].sort(byEndpoint);
  return { cluster, local, reachable, hasAny };
}
