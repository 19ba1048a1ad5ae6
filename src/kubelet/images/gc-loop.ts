/**
 * Runs image garbage collection periodically, as the kubelet's image GC manager does (every 5 minutes by
 * default). An image is in use while any container of the runtime, running or exited, was created from it:
 * exited containers may be restarted, and `kubectl logs --previous` still names their image. Containers name
 * their image by id; older records may name a reference, which is resolved to the image it points at now.
 */
import type { ImageService, RuntimeService } from '../cri/services.js';
import type { Logger } from '../../util/logger.js';
import { PeriodicTask } from '../../util/periodic-task.js';
import type { ImageGcResult } from './gc.js';

export interface ImageGcLoopOptions {
  runtime: Pick<RuntimeService, 'listContainers'>;
  images: Pick<ImageService, 'imageStatus'>;
  collect: (inUseImageIds: ReadonlySet<string>) => Promise<ImageGcResult>;
  periodMs?: number;
  logger: Logger;
  /** Told when a collection could not bring usage below the low threshold, or failed. */
  onFailure?: (message: string) => void;
}

export const DEFAULT_IMAGE_GC_PERIOD_MS = 5 * 60_000;

/** One collection per period; a collection still in progress is joined rather than started twice. */
export class ImageGcLoop extends PeriodicTask {
  constructor(private readonly opts: ImageGcLoopOptions) {
    super(opts.periodMs ?? DEFAULT_IMAGE_GC_PERIOD_MS);
  }

  protected async runTask(): Promise<void> {
    try {
      const containers = await this.opts.runtime.listContainers();
      const refs = new Set(containers.map((c) => c.imageRef || c.image.image).filter((r) => r !== ''));
      const inUse = new Set<string>();
      for (const ref of refs) {
        const image = await this.opts.images.imageStatus({ image: ref });
        if (image) inUse.add(image.id);
      }
      const result = await this.opts.collect(inUse);
      if (result.removed.length > 0) {
        this.opts.logger.info('image garbage collection removed images', {
          removed: result.removed.length,
          usagePercentBefore: Math.round(result.usagePercent),
        });
      }
      if (result.insufficient) {
        this.opts.onFailure?.(
          `Failed to garbage collect required amount of images: disk usage was ${Math.round(result.usagePercent)}% ` +
            `and stays above the low threshold after removing ${result.removed.length} unused image(s)`,
        );
      }
    } catch (err) {
      this.opts.logger.warn('image garbage collection failed', { err: (err as Error).message });
      this.opts.onFailure?.(`Image garbage collection failed: ${(err as Error).message}`);
    }
  }
}
