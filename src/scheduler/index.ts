import { readFileSync } from 'node:fs';
import {
  ApiClient,
  EventRecorder,
  InformerFactory,
  stripManagedFields,
  type SharedInformerPool,
  runLeaderElected,
  type ClientConfig,
  type Stoppable,
} from '../client/index.js';
import { realClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { defaultSchedulerConfig, parseSchedulerConfig, type SchedulerConfig } from './config.js';
import { Scheduler } from './scheduler.js';

export { Scheduler } from './scheduler.js';
export {
  defaultSchedulerConfig,
  parseSchedulerConfig,
  DEFAULT_SCHEDULER_NAME,
  type SchedulerConfig,
} from './config.js';

export interface SchedulerOptions {
  client: ClientConfig;
  leaderElect: boolean;
  logger: Logger;
  clock?: Clock;
  /** A KubeSchedulerConfiguration YAML file. */
  configFile?: string;
  /** Overrides configFile (tests). */
  config?: SchedulerConfig;
  leaseDurationMs?: number;
  retryPeriodMs?: number;
  /** The Lease holder identity (default: unique per run). */
  leaseIdentity?: string;
  /** Informers shared with other components of this process (the embedded controller-manager). */
  sharedInformers?: SharedInformerPool;
}

/** The scheduler, leader-elected on the `kube-scheduler` Lease. */
export function runScheduler(opts: SchedulerOptions): Stoppable {
  const clock = opts.clock ?? realClock;
  // Read and check the config up front: a bad file stops the command instead of a leader that never starts.
  const config =
    opts.config ??
    (opts.configFile
      ? parseSchedulerConfig(readFileSync(opts.configFile, 'utf8'))
      : defaultSchedulerConfig());
  const client = new ApiClient({ userAgent: 'tugboat-scheduler', ...opts.client });
  const runner = runLeaderElected({
    client,
    lease: 'kube-scheduler',
    leaderElect: opts.leaderElect,
    logger: opts.logger,
    ...(opts.leaseDurationMs ? { leaseDurationMs: opts.leaseDurationMs } : {}),
    ...(opts.retryPeriodMs ? { retryPeriodMs: opts.retryPeriodMs } : {}),
    ...(opts.leaseIdentity ? { identity: opts.leaseIdentity } : {}),
    start: async (signal) => {
      const scheduler = new Scheduler({
        client,
        informers: new InformerFactory(client, {
          logger: opts.logger,
          transform: stripManagedFields,
          ...(opts.sharedInformers ? { shared: opts.sharedInformers } : {}),
        }),
        clock,
        logger: opts.logger,
        events: new EventRecorder(client, 'default-scheduler', { clock, logger: opts.logger }),
        config,
      });
      signal.addEventListener('abort', () => void scheduler.stop());
      await scheduler.start();
      return scheduler;
    },
  });
  return {
    stop: async () => {
      await runner.stop();
      client.close();
    },
  };
}
