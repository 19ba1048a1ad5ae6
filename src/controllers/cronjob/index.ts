import type { ControllerFactory } from '../context.js';
import { CronJobController } from './cronjob-controller.js';

export { CronJobController, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob-controller.js';

export const cronJobControllerFactory: ControllerFactory = (ctx) => new CronJobController(ctx);
