import type { ControllerFactory } from '../context.js';
import { LocalPathProvisionerController } from './local-path-provisioner.js';
import { PersistentVolumeBinderController } from './pv-binder-controller.js';

export { PersistentVolumeBinderController } from './pv-binder-controller.js';
export * from './local-path-provisioner.js';
export * from './matching.js';

export const persistentVolumeBinderController: ControllerFactory = (ctx) =>
  new PersistentVolumeBinderController(ctx);

export const localPathProvisionerController: ControllerFactory = (ctx) =>
  new LocalPathProvisionerController(ctx);
