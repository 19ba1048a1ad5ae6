import type { ControllerFactory } from '../context.js';
import { ServiceLbController } from './service-lb-controller.js';

export { planLoadBalancers, nodeAddresses, servedHere, EXCLUDE_FROM_LB_LABEL } from './plan.js';
export { ServiceLbController } from './service-lb-controller.js';

export const serviceLbController: ControllerFactory = (ctx) => new ServiceLbController(ctx);
