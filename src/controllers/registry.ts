import type { ControllerFactory } from './context.js';
import { newDaemonSetController } from './daemonset/index.js';
import { newStatefulSetController } from './statefulset/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  daemonset: newDaemonSetController,
  statefulset: newStatefulSetController,
};
