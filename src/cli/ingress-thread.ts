import type { Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import { startModuleWorker } from '../util/module-worker.js';
import type { IngressWorkerData, IngressWorkerMessage } from './ingress-worker.js';

const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts the ingress controller in a worker thread of its own (ingress-worker.ts); resolves once it listens.
 * A thread that dies later is reported through onFailure, as the control-plane thread's death is.
 */
export function startIngressThread(
  data: IngressWorkerData,
  log: Logger,
  onFailure: (err: Error) => void,
): Promise<Stoppable> {
  const worker = startModuleWorker('./ingress-worker.js', import.meta.url, { workerData: data });
  let stopping = false;
  let started = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    worker.on('message', (m: IngressWorkerMessage) => {
      if (m.type === 'failed') {
        reject(new Error(`the ingress controller did not start: ${m.error}`));
        return;
      }
      started = true;
      resolve({
        stop: async () => {
          stopping = true;
          worker.postMessage({ type: 'stop' });
          const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        },
      });
    });
    worker.on('error', (err) => {
      log.error('ingress thread failed', { error: String(err.stack ?? err) });
      if (!started) reject(err);
      else if (!stopping) onFailure(err);
    });
    worker.on('exit', (code) => {
      if (!started) reject(new Error(`ingress thread exited with code ${code} before it started`));
      else if (!stopping) onFailure(new Error(`ingress thread exited with code ${code}`));
    });
  });
}
