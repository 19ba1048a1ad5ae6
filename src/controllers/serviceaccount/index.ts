import type { ControllerFactory } from '../context.js';
import { ServiceAccountsController } from './serviceaccounts-controller.js';

export { DEFAULT_SERVICE_ACCOUNTS, ServiceAccountsController } from './serviceaccounts-controller.js';

export const serviceAccountController: ControllerFactory = (ctx) => new ServiceAccountsController(ctx);
