import type { ControllerFactory } from '../context.js';
import { ResourceQuotaController } from './resource-quota-controller.js';

export { ResourceQuotaController } from './resource-quota-controller.js';
export { computeUsage } from '../../api/quota-usage.js';

export const resourceQuotaController: ControllerFactory = (ctx) => new ResourceQuotaController(ctx);
