/**
 * Container log rotation, as the kubelet's container log manager does it (containerLogMaxSize 10Mi,
 * containerLogMaxFiles 5): every 10 s, a running container's log past the size limit is renamed to
 * `<log>.<YYYYMMDD-HHMMSS>` and the runtime reopens the log path; rotated files but the newest are gzipped,
 * and the oldest go so that no more than maxFiles files (the live one included) remain.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { PeriodicTask } from '../util/periodic-task.js';
import type { RuntimeService } from './cri/services.js';

export interface LogRotationPolicy {
  maxSizeBytes: number;
  /** Files kept per container, the live one included (at least 2). */
  maxFiles: number;
}

export const DEFAULT_LOG_ROTATION: LogRotationPolicy = { maxSizeBytes: 10 * 1024 * 1024, maxFiles: 5 };

export interface LogRotatorOptions {
  runtime: Pick<RuntimeService, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;
  policy: LogRotationPolicy;
  clock: Clock;
  logger: Logger;
  periodMs?: number;
}

/** Go's `20060102-150405` layout, in UTC. */
export function rotationSuffix(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-04T11:25:16.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export class ContainerLogRotator extends PeriodicTask {
  constructor(private readonly opts: LogRotatorOptions) {
    super(opts.periodMs ?? 10_000);
    if (opts.policy.maxFiles < 2) throw new Error('container log rotation keeps at least 2 files');
  }

  /** Runs only with a runtime that can reopen logs. */
  override start(): void {
    if (this.opts.runtime.reopenContainerLog) super.start();
  }

  protected async runTask(): Promise<void> {
    const containers = await this.opts.runtime.listContainers({ state: 'running' });
    for (const c of containers) {
      try {
        const { logPath } = await this.opts.runtime.containerStatus(c.id);
        if (logPath) await this.rotateIfNeeded(c.id, logPath);
      } catch (err) {
        this.opts.logger.warn('container log rotation failed', {
          container: c.id,
          err: (err as Error).message,
        });
      }
    }
  }

  /** Rotates one container's log if it outgrew the limit. */
  private async rotateIfNeeded(id: string, logPath: string): Promise<void> {
    const size = (await stat(logPath).catch(() => undefined))?.size ?? 0;
    if (size < this.opts.policy.maxSizeBytes) return;
    const rotated = await this.rotatedFiles(logPath);
    // Room for the file about to be rotated: maxFiles counts the live file too.
    const excess = rotated.length - (this.opts.policy.maxFiles - 2);
    for (const f of rotated.slice(0, Math.max(0, excess))) await rm(f, { force: true });
    for (const f of rotated.slice(Math.max(0, excess))) if (!f.endsWith('.gz')) await gzipFile(f);
    const target = `${logPath}.${rotationSuffix(this.opts.clock.now())}`;
    await rename(logPath, target);
    try {
      await this.opts.runtime.reopenContainerLog!(id);
    } catch (err) {
      // The monitor still writes to the renamed file: put it back rather than lose its output.
      await rename(target, logPath).catch(() => {});
      throw err;
    }
  }

  /** `<log>.<timestamp>[.gz]` siblings, oldest first (timestamps sort by name). */
  private async rotatedFiles(logPath: string): Promise<string[]> {
    const dir = path.dirname(logPath);
    const prefix = `${path.basename(logPath)}.`;
    const names = await readdir(dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.startsWith(prefix) && /^\d{8}-\d{6}(\.gz)?$/.test(n.slice(prefix.length)))
      .sort()
      .map((n) => path.join(dir, n));
  }
}

async function gzipFile(file: string): Promise<void> {
  const tmp = `${file}.gz.tmp`;
  await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp));
  await rename(tmp, `${file}.gz`);
  await rm(file, { force: true });
}
