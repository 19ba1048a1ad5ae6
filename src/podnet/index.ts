/** The pod network between nodes: routes to other nodes' pod CIDRs (vxlan or host-gw) and the rules pod traffic needs. */
export {
  PodRoutesAgent,
  type PodNetworkBackend,
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
export { removeVxlanDevice, vxlanPodMtu } from './vxlan-backend.js';
export {
  VXLAN_DEVICE,
  VXLAN_PORT,
  vtepMac,
  ANN_BACKEND_DATA,
  ANN_BACKEND_TYPE,
  ANN_PUBLIC_IP,
} from './vxlan.js';
