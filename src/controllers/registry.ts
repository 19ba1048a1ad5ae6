import type { ControllerFactory } from './context.js';
import { deploymentControllerFactory } from './deployment/index.js';
import { replicaSetControllerFactory, replicationControllerFactory } from './replicaset/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  replicaset: replicaSetControllerFactory,
  replicationcontroller: replicationControllerFactory,
  deployment: deploymentControllerFactory,
};
