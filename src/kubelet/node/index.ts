export { detectNodeIP, readHost, readHostInfo, type HostInfo, type HostReadings } from './host-readings.js';
export { NODE_LEASE_NAMESPACE, NodeAgent, type NodeAgentOptions } from './node-agent.js';
export {
  DEFAULT_THRESHOLDS,
  capacityAndAllocatable,
  nodeConditions,
  type Thresholds,
} from './node-status.js';
