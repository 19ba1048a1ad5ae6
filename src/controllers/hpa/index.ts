import type { ControllerFactory } from '../context.js';
import { HorizontalPodAutoscalerController } from './controller.js';

export { HorizontalPodAutoscalerController, HPA_CONTROLLER } from './controller.js';
export const horizontalPodAutoscalerController: ControllerFactory = (ctx) =>
  new HorizontalPodAutoscalerController(ctx);
