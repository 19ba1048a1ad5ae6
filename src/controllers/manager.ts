import type { Logger } from '../util/logger.js';
import type { Controller, ControllerContext, ControllerFactory } from './context.js';

export interface RunningControllers {
  controllers: Controller[];
  stop(): Promise<void>;
}

/**
 * Builds the controllers (each registers the informers it needs), starts the shared informers, waits until
 * they have synced, then starts every controller's workers.
 */
export async function startControllers(
  ctx: ControllerContext,
  factories: Record<string, ControllerFactory>,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningControllers> {
  const controllers = Object.entries(factories).map(([name, make]) => {
    logger.debug('starting controller', { name });
    return make(ctx);
  });
  ctx.informers.start();
  // Stopping the informers releases waitForSync, so a start that never synced can still be given up.
  const giveUp = (): void => ctx.informers.stop();
  signal?.addEventListener('abort', giveUp);
  await ctx.informers.waitForSync();
  signal?.removeEventListener('abort', giveUp);
  if (signal?.aborted) {
    await Promise.all(controllers.map((c) => c.stop()));
    return { controllers: [], stop: () => Promise.resolve() };
  }
  for (const c of controllers) c.run();
  logger.info('controllers running', { controllers: controllers.map((c) => c.name) });
  return {
    controllers,
    stop: async () => {
      await Promise.all(controllers.map((c) => c.stop()));
      ctx.informers.stop();
    },
  };
}
