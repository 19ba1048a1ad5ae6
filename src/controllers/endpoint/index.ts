import type { ControllerFactory } from '../context.js';
import { EndpointsController } from './endpoints-controller.js';

export { EndpointsController } from './endpoints-controller.js';

export const endpointController: ControllerFactory = (ctx) => new EndpointsController(ctx);
