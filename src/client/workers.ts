import type { Logger } from '../util/logger.js';
import type { WorkQueue } from './workqueue.js';

/** What a sync may ask for besides success or a retry with backoff. */
export interface SyncResult {
  /** Look at the key again after this long (e.g. a deadline or a minReadySeconds wait). */
  requeueAfterMs?: number;
}

/**
 * Runs `count` workers that pop keys and call `sync`. A thrown error requeues the key with backoff; success
 * forgets its backoff. Resolves when the queue shuts down and every worker has finished its key.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  count: number,
  sync: (key: K) => Promise<SyncResult | void>,
  logger: Logger,
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await sync(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        const retries = queue.numRequeues(key);
        const fields = { key: String(key), retries, error: err instanceof Error ? err.message : String(err) };
        if (retries < 5) logger.debug('sync failed, retrying', fields);
        else logger.warn('sync failed, retrying', fields);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}
