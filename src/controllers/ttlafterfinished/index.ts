import type { ControllerFactory } from '../context.js';
import { TtlAfterFinishedController } from './ttl-controller.js';

export { TtlAfterFinishedController, jobExpiresAt, jobFinishTime } from './ttl-controller.js';

export const ttlAfterFinishedControllerFactory: ControllerFactory = (ctx) =>
  new TtlAfterFinishedController(ctx);
