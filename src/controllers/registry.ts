import type { ControllerFactory } from './context.js';
import { garbageCollectorController } from './garbagecollector/index.js';
import { namespaceController } from './namespace/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  'garbage-collector': garbageCollectorController,
  namespace: namespaceController,
};
