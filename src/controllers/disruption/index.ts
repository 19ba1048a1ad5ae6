import type { ControllerFactory } from '../context.js';
import { DisruptionController } from './disruption-controller.js';

export { DisruptionController } from './disruption-controller.js';

export const disruptionController: ControllerFactory = (ctx) => new DisruptionController(ctx);
