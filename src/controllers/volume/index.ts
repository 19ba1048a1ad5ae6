import type { ControllerFactory } from '../context.js';
import { PersistentVolumeBinderController } from './pv-binder-controller.js';

export { PersistentVolumeBinderController } from './pv-binder-controller.js';
export * from './matching.js';

export const persistentVolumeBinderController: ControllerFactory = (ctx) =>
  new PersistentVolumeBinderController(ctx);
