import type { ControllerFactory } from '../context.js';
import { NodeIpamController } from './node-ipam-controller.js';

export { CidrSet } from './cidr-set.js';
export { DEFAULT_CLUSTER_CIDR, NodeIpamController } from './node-ipam-controller.js';

export const nodeIpamController: ControllerFactory = (ctx) => new NodeIpamController(ctx);
