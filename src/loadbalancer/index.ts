export { followClusterServers, serverAddresses } from './cluster-servers.js';
export { formatHostPort, parseHostPort, type HostPort } from './host-port.js';
export { ServerLoadBalancer, type ServerLoadBalancerOptions } from './server-load-balancer.js';
