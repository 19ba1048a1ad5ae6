import type { ControllerFactory } from '../context.js';
import { GarbageCollector } from './garbage-collector.js';

export { GarbageCollector } from './garbage-collector.js';

export const garbageCollectorController: ControllerFactory = (ctx) => new GarbageCollector(ctx);
