import type { ControllerFactory } from './context.js';
import { horizontalPodAutoscalerController } from './hpa/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  'horizontal-pod-autoscaler': horizontalPodAutoscalerController,
};
