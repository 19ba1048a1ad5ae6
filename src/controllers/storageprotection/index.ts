import type { ControllerFactory } from '../context.js';
import { PvProtectionController } from './pv-protection-controller.js';
import { PvcProtectionController } from './pvc-protection-controller.js';

export { PvProtectionController } from './pv-protection-controller.js';
export { PvcProtectionController, podUsesClaim } from './pvc-protection-controller.js';

export const pvcProtectionController: ControllerFactory = (ctx) => new PvcProtectionController(ctx);
export const pvProtectionController: ControllerFactory = (ctx) => new PvProtectionController(ctx);
