import type { ControllerFactory } from '../context.js';
import { PodGcController } from './podgc-controller.js';

export { podsToCollect, OUT_OF_SERVICE_TAINT } from './collect.js';
export { PodGcController } from './podgc-controller.js';

export const podGcController: ControllerFactory = (ctx) => new PodGcController(ctx);
