import type { ControllerFactory } from '../context.js';
import { EndpointSliceController } from './endpointslice-controller.js';

export { EndpointSliceController } from './endpointslice-controller.js';

export const endpointSliceController: ControllerFactory = (ctx) => new EndpointSliceController(ctx);
