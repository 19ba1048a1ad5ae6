import type { ControllerFactory } from '../context.js';
import { TokensController } from './tokens-controller.js';

export { TokensController } from './tokens-controller.js';

export const serviceAccountTokenController: ControllerFactory = (ctx) => new TokensController(ctx);
