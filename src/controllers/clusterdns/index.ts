import type { ControllerFactory } from '../context.js';
import { ClusterDnsServiceController } from './cluster-dns-service-controller.js';

export { ClusterDnsServiceController } from './cluster-dns-service-controller.js';
export { desiredSlice, kubeDnsClusterIp } from './plan.js';

export const clusterDnsServiceController: ControllerFactory = (ctx) => new ClusterDnsServiceController(ctx);
