/** Entry of the short-lived thread that issues certificates (see x509-thread.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { runX509Batch, type X509Batch } from './x509-batch.js';

parentPort?.postMessage(await runX509Batch(workerData as X509Batch));
