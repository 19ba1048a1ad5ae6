import { silentLogger, type Logger } from '../util/logger.js';
import type { Store } from './types.js';

export interface CompactorOptions {
  /** How often to compact. Default 5 minutes. */
  intervalMs?: number;
  /** How many revisions of history to keep behind the current revision. Default 10,000. */
  keepRevisions?: number;
  logger?: Logger;
}

export interface Compactor {
  stop(): void;
  /** Compact once now (the timer does the same); resolves when done. */
  runOnce(): Promise<void>;
}

/** Periodically forget history older than the last keepRevisions revisions. */
export function startCompactor(store: Store, opts: CompactorOptions = {}): Compactor {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const keep = opts.keepRevisions ?? 10_000;
  const logger = opts.logger ?? silentLogger;
  let running: Promise<void> | undefined;
  let stopped = false;

  const compactOnce = async (): Promise<void> => {
    const current = await store.currentRevision();
    const target = current - keep;
    if (target <= 0 || target <= (await store.compactedRevision())) return;
    await store.compact(target);
    logger.debug('compacted store', { revision: target, current });
  };

  const runOnce = (): Promise<void> => {
    running ??= compactOnce()
      .catch((err: unknown) => {
        if (!stopped) logger.warn('store compaction failed', { error: String(err) });
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    runOnce,
  };
}
