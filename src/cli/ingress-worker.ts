/**
 * Entry point of the ingress controller's worker thread inside `tugboat server`: proxied traffic is data-plane
 * work (a busy site takes a whole core) that must not hold up the API server's event loop. The controller is an
 * API client here, as it would be in a process of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, type LogLevel } from '../util/logger.js';
import { startIngress, type IngressWiring } from './ingress.js';

export interface IngressWorkerData extends Omit<IngressWiring, 'logger'> {
  logLevel: LogLevel;
}

/** Messages the worker posts to the server thread; the server thread posts `stop`. */
export type IngressWorkerMessage = { type: 'started' } | { type: 'failed'; error: string };

async function main(data: IngressWorkerData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('ingress-worker must run in a worker thread');
  const log = createLogger('tugboat', data.logLevel).child('ingress');
  let running;
  try {
    running = await startIngress({ ...data, logger: log });
  } catch (err) {
    port.postMessage({ type: 'failed', error: String(err) } satisfies IngressWorkerMessage);
    return;
  }
  port.postMessage({ type: 'started' } satisfies IngressWorkerMessage);
  port.once('message', () => {
    void (async () => {
      try {
        await running.stop();
      } catch (err) {
        log.error('stopping the ingress controller failed', { error: String(err) });
      }
      // Keep-alive sockets and timers of the stopped client must not keep the thread alive.
      process.exit(0);
    })();
  });
}

await main(workerData as IngressWorkerData);
