import type { ControllerFactory } from '../context.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';
import { TaintEvictionController } from './taint-eviction-controller.js';

export { NODE_LIFECYCLE_DEFAULTS, NodeLifecycleController } from './node-lifecycle-controller.js';
export { TaintEvictionController } from './taint-eviction-controller.js';

export const nodeLifecycleController: ControllerFactory = (ctx) => new NodeLifecycleController(ctx);
export const taintEvictionController: ControllerFactory = (ctx) => new TaintEvictionController(ctx);
