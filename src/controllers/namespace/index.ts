import type { ControllerFactory } from '../context.js';
import { NamespaceController } from './namespace-controller.js';

export { NamespaceController } from './namespace-controller.js';
export { NamespacedResourcesDeleter } from './deleter.js';

export const namespaceController: ControllerFactory = (ctx) => new NamespaceController(ctx);
