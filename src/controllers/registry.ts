import type { ControllerFactory } from './context.js';
import { disruptionController } from './disruption/index.js';
import { resourceQuotaController } from './resourcequota/index.js';
import { serviceAccountController } from './serviceaccount/index.js';
import { persistentVolumeBinderController } from './volume/index.js';
import { nodeLifecycleController, taintEvictionController } from './nodelifecycle/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  disruption: disruptionController,
  'node-lifecycle': nodeLifecycleController,
  'taint-eviction-controller': taintEvictionController,
  resourcequota: resourceQuotaController,
  serviceaccount: serviceAccountController,
  'persistentvolume-binder': persistentVolumeBinderController,
};
