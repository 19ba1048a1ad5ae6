export { DaemonSetController, newDaemonSetController } from './controller.js';
