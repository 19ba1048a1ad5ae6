import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../../util/logger.js';
import { loadEncryptionConfig, type EncryptionConfig } from './config.js';

/** How often the file's status is looked at (upstream reloads within a minute; one second costs one stat). */
const POLL_MS = 1000;

/**
 * kube-apiserver's --encryption-provider-config-automatic-reload: when the file's content changes, the new
 * configuration is used from then on; one that does not load is logged and the previous one kept. Polling the
 * file's status follows edits made by renaming a new file into place, which a watch on the file would lose.
 */
export function watchEncryptionConfig(
  path: string,
  apply: (config: EncryptionConfig) => void,
  log: Logger,
): { stop(): Promise<void> } {
  let applied: string | undefined;
  let running: Promise<void> = digestOf(path).then((d) => void (applied = d));
  const check = (): void => {
    running = running.then(async () => {
      const digest = await digestOf(path);
      if (digest === undefined || digest === applied) return;
      applied = digest;
      try {
        const config = await loadEncryptionConfig(path);
        apply(config);
        log.info('encryption configuration reloaded', { config: path, writes: config.summary });
      } catch (err) {
        log.error('encryption configuration not reloaded, the previous one stays in use', {
          error: (err as Error).message,
        });
      }
    });
  };
  watchFile(path, { interval: POLL_MS, persistent: false }, check);
  return {
    stop: async () => {
      unwatchFile(path, check);
      await running;
    },
  };
}

async function digestOf(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}
