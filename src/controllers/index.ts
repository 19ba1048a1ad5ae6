import {
  ApiClient,
  EventRecorder,
  InformerFactory,
  stripManagedFields,
  runLeaderElected,
  type ClientConfig,
  type SharedInformerPool,
  type Stoppable,
} from '../client/index.js';
import { realClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ControllerContext, ControllerFactory, ControllerOptions } from './context.js';
import { startControllers } from './manager.js';
import { builtinControllers } from './registry.js';

export type { Controller, ControllerContext, ControllerFactory, ControllerOptions } from './context.js';
export { builtinControllers } from './registry.js';
export type { ClusterSigningOptions } from './certificates/index.js';

export interface ControllerManagerOptions {
  client: ClientConfig;
  leaderElect: boolean;
  logger: Logger;
  clock?: Clock;
  /** Default: every built-in controller. */
  controllers?: Record<string, ControllerFactory>;
  options?: ControllerOptions;
  leaseDurationMs?: number;
  retryPeriodMs?: number;
  /** The Lease holder identity (default: unique per run). */
  leaseIdentity?: string;
  /**
   * Informers shared with other components of this process (the embedded scheduler). The controller-manager
   * then talks to the API through the pool's client, which the pool's owner closes.
   */
  sharedInformers?: SharedInformerPool;
}

/** The controller-manager: every controller, leader-elected on the `kube-controller-manager` Lease. */
export function runControllerManager(opts: ControllerManagerOptions): Stoppable {
  const client =
    opts.sharedInformers?.client ??
    new ApiClient({ userAgent: 'tugboat-controller-manager', ...opts.client });
  const clock = opts.clock ?? realClock;
  const runner = runLeaderElected({
    client,
    lease: 'kube-controller-manager',
    leaderElect: opts.leaderElect,
    logger: opts.logger,
    ...(opts.leaseDurationMs ? { leaseDurationMs: opts.leaseDurationMs } : {}),
    ...(opts.retryPeriodMs ? { retryPeriodMs: opts.retryPeriodMs } : {}),
    ...(opts.leaseIdentity ? { identity: opts.leaseIdentity } : {}),
    start: (signal) => {
      const recorders = new Map<string, EventRecorder>();
      const ctx: ControllerContext = {
        client,
        informers: new InformerFactory(client, {
          logger: opts.logger,
          transform: stripManagedFields,
          ...(opts.sharedInformers ? { shared: opts.sharedInformers } : {}),
        }),
        clock,
        logger: opts.logger,
        // Like kube-controller-manager's --root-ca-file, defaulting to the CA the client trusts.
        options: { ...(opts.client.caPem ? { rootCaPem: opts.client.caPem } : {}), ...opts.options },
        events: (component) => {
          let r = recorders.get(component);
          if (!r)
            recorders.set(
              component,
              (r = new EventRecorder(client, component, { clock, logger: opts.logger })),
            );
          return r;
        },
      };
      return startControllers(ctx, opts.controllers ?? builtinControllers, opts.logger, signal);
    },
  });
  return {
    stop: async () => {
      await runner.stop();
      if (!opts.sharedInformers) client.close();
    },
  };
}
