export { detectNodeIP, readHost, readHostInfo, type HostInfo, type HostReadings } from './host-readings.js';
export { NODE_LEASE_NAMESPACE, NodeAgent, type NodeAgentOptions } from './node-agent.js';
export { capacityAndAllocatable, nodeConditions } from './node-status.js';
export { DEFAULT_THRESHOLDS, type Thresholds } from '../eviction/thresholds.js';
