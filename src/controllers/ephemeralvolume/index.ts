import type { ControllerFactory } from '../context.js';
import { EphemeralVolumeController } from './ephemeral-volume-controller.js';

export { EphemeralVolumeController } from './ephemeral-volume-controller.js';

export const ephemeralVolumeController: ControllerFactory = (ctx) => new EphemeralVolumeController(ctx);
