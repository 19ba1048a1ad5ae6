/** The pod network between nodes: routes to other nodes' pod CIDRs (host-gw) and the rules pod traffic needs. */
export {
  PodRoutesAgent,
  podNetworkRules,
  removePodNetwork,
  type NodeSource,
  type PodRoutesAgentOptions,
} from './pod-routes-agent.js';
export {
  desiredPodRoutes,
  parseRoutes,
  routeChanges,
  routingKey,
  ROUTE_PROTOCOL,
  type PodRoute,
} from './routes.js';
