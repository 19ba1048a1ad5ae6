import type { ControllerFactory } from '../context.js';
import { DeploymentController } from './controller.js';

export { DeploymentController } from './controller.js';
export { computeHash, equalIgnoreHash } from './hash.js';

export const deploymentControllerFactory: ControllerFactory = (ctx) => new DeploymentController(ctx);
