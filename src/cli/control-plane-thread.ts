import type { Worker } from 'node:worker_threads';
import type { MetricsProvider, NodeUsagePoint, PodUsagePoint } from '../apiserver/metrics/provider.js';
import type { Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import { startModuleWorker } from '../util/module-worker.js';
import type {
  ControlPlaneRequest,
  ControlPlaneWorkerData,
  ControlPlaneWorkerMessage,
} from './control-plane-worker.js';

const STOP_TIMEOUT_MS = 15_000;
/**
 * The controllers' young generation may grow to twice V8's default. Their informer caches replace a pod's object
 * at each of its writes (created, bound, Running: a few hundred milliseconds apart under load); with a larger
 * nursery the replaced versions die there instead of being copied and promoted first. At 5,000 hollow nodes
 * scavenges took 10-11 % of the thread instead of 16-17 % with a third of the default, and the scheduler
 * benchmark bound more pods per second (4 and 3 runs, alternated: 307-438 against 297-392 pods/s). The nursery only
 * grows while many objects survive, so an idle server does not carry it. At the smallest nursery scavenges took
 * well over a third of the thread.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 };

/** Asks the scraper in the control-plane thread; a thread that is gone answers "no samples". */
class ThreadMetrics implements MetricsProvider {
  private nextId = 0;
  private closed = false;
  private readonly pending = new Map<number, (points: unknown[]) => void>();

  constructor(private readonly worker: Worker) {}

  getNodeMetrics(names: string[]): Promise<(NodeUsagePoint | undefined)[]> {
    return this.ask<NodeUsagePoint>({ type: 'node-metrics', id: this.nextId++, names }, names.length);
  }

  getPodMetrics(pods: { namespace: string; name: string }[]): Promise<(PodUsagePoint | undefined)[]> {
    return this.ask<PodUsagePoint>({ type: 'pod-metrics', id: this.nextId++, pods }, pods.length);
  }

  answered(id: number, points: unknown[]): void {
    this.pending.get(id)?.(points);
    this.pending.delete(id);
  }

  /** The thread stopped: nothing will answer. */
  close(): void {
    this.closed = true;
    for (const resolve of this.pending.values()) resolve([]);
    this.pending.clear();
  }

  /** One point (or undefined) per name asked; anything else, such as the empty answer of close(), is none. */
  private ask<T>(request: ControlPlaneRequest & { id: number }, count: number): Promise<(T | undefined)[]> {
    const none = (): (T | undefined)[] => new Array<T | undefined>(count);
    if (this.closed) return Promise.resolve(none());
    return new Promise((resolve) => {
      this.pending.set(request.id, (points) =>
        resolve(points.length === count ? (points as (T | undefined)[]) : none()),
      );
      this.worker.postMessage(request);
    });
  }
}

export interface ControlPlaneThread extends Stoppable {
  /** The thread's metrics scraper, when it runs one. */
  metrics?: MetricsProvider;
}

/**
 * Starts the controller-manager, scheduler and metrics scraper in a worker thread. Resolves once they are
 * running; a thread that dies unexpectedly is reported through onFailure so the server goes down loudly rather
 * than limping.
 */
export function startControlPlaneThread(
  data: ControlPlaneWorkerData,
  log: Logger,
  onFailure: (err: Error) => void,
): Promise<ControlPlaneThread> {
  const worker = spawnWorker(data);
  let stopping = false;
  const metrics = new ThreadMetrics(worker);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      metrics.close();
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    let started = false;
    worker.on('message', (m: ControlPlaneWorkerMessage) => {
      if (m.type === 'metrics') metrics.answered(m.id, m.points);
      if (m.type !== 'started' || started) return;
      started = true;
      resolve({
        ...(data.metrics ? { metrics } : {}),
        stop: async () => {
          stopping = true;
          worker.postMessage({ type: 'stop' } satisfies ControlPlaneRequest);
          const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        },
      });
    });
    worker.on('error', (err) => {
      log.error('control-plane thread failed', { error: String(err.stack ?? err) });
      if (!started) reject(err);
      else if (!stopping) onFailure(err);
    });
    worker.on('exit', (code) => {
      if (stopping || !started) {
        if (!started) reject(new Error(`control-plane thread exited with code ${code} before it started`));
        return;
      }
      onFailure(new Error(`control-plane thread exited with code ${code}`));
    });
  });
}

function spawnWorker(data: ControlPlaneWorkerData): Worker {
  return startModuleWorker('./control-plane-worker.js', import.meta.url, {
    workerData: data,
    resourceLimits: WORKER_LIMITS,
  });
}
