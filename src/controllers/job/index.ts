import type { ControllerFactory } from '../context.js';
import { JobController } from './job-controller.js';

export { JobController } from './job-controller.js';
export { JOB_TRACKING_FINALIZER } from './pod-template.js';

export const jobControllerFactory: ControllerFactory = (ctx) => new JobController(ctx);
