import type { Logger } from '../util/logger.js';
import { replicaIdentity } from './identity.js';
import { LeaderElector } from './leader-election.js';
import type { ApiClient } from './rest.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface LeaderRunOptions {
  client: ApiClient;
  /** Lease name in kube-system, e.g. `kube-scheduler`. */
  lease: string;
  /** false: act at once, without a lease (a single replica). */
  leaderElect: boolean;
  logger: Logger;
  /**
   * Starts the component's work; called each time this replica becomes leader. `signal` fires when it should
   * give up starting (e.g. still waiting for its informers at shutdown).
   */
  start(signal: AbortSignal): Promise<Stoppable>;
  leaseDurationMs?: number;
  retryPeriodMs?: number;
  /** Default: a new `replicaIdentity()` per run. A stable one takes its own lease back at once after a crash. */
  identity?: string;
}

/**
 * Runs a component only while this replica holds its Lease: several replicas may run and only the leader acts;
 * when the leader dies, another takes over once the lease expires. Returns a handle that stops the component
 * and releases the lease.
 */
export function runLeaderElected(opts: LeaderRunOptions): Stoppable {
  let running: Promise<Stoppable> | undefined;
  let abort: AbortController | undefined;
  const stopRunning = async (): Promise<void> => {
    const r = running;
    running = undefined;
    abort?.abort();
    if (r) await (await r).stop();
  };
  const begin = (): void => {
    abort = new AbortController();
    running = opts.start(abort.signal).catch((err: unknown) => {
      opts.logger.error('component failed to start', {
        error: err instanceof Error ? err.message : String(err),
      });
      return { stop: async () => {} };
    });
  };
  if (!opts.leaderElect) {
    begin();
    return { stop: stopRunning };
  }
  const elector = new LeaderElector(opts.client, {
    name: opts.lease,
    identity: opts.identity ?? replicaIdentity(),
    logger: opts.logger,
    ...(opts.leaseDurationMs ? { leaseDurationMs: opts.leaseDurationMs } : {}),
    ...(opts.retryPeriodMs ? { retryPeriodMs: opts.retryPeriodMs } : {}),
    onStartedLeading: begin,
    onStoppedLeading: () => void stopRunning(),
  });
  elector.start();
  return {
    stop: async () => {
      await stopRunning();
      await elector.stop();
    },
  };
}
