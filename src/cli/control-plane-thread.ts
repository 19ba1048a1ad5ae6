import type { Worker } from 'node:worker_threads';
import type { Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import { startModuleWorker } from '../util/module-worker.js';
import type { ControlPlaneWorkerData, ControlPlaneWorkerMessage } from './control-plane-worker.js';

const STOP_TIMEOUT_MS = 15_000;
/**
 * The controllers' young generation is capped at a third of V8's default: a little less resident at idle,
 * while under load (thousands of pod events a second) scavenges stay under a fifth of the thread's time. At
 * the smallest nursery they took well over a third.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

/**
 * Starts the controller-manager and scheduler in a worker thread. Resolves once they are running; a thread
 * that dies unexpectedly is reported through onFailure so the server goes down loudly rather than limping.
 */
export function startControlPlaneThread(
  data: ControlPlaneWorkerData,
  log: Logger,
  onFailure: (err: Error) => void,
): Promise<Stoppable> {
  const worker = spawnWorker(data);
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let started = false;
    worker.on('message', (m: ControlPlaneWorkerMessage) => {
      if (m.type !== 'started' || started) return;
      started = true;
      resolve({
        stop: async () => {
          stopping = true;
          worker.postMessage('stop');
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
