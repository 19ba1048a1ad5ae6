import { objectKey, runWorkers, WorkQueue, type ClientObject, type SyncResult } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import type { Controller, ControllerContext } from './context.js';

/**
 * The reconcile-loop shape every controller shares: event handlers only enqueue `namespace/name` keys, workers
 * pop a key and run an idempotent `sync`, failures requeue with backoff (client-go's workqueue semantics).
 */
export abstract class QueueController implements Controller {
  readonly queue = new WorkQueue<string>();
  protected readonly logger: Logger;
  private workers: Promise<void> | undefined;

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
    /** `workers` fixes the worker count (1 for a controller whose syncs must not overlap). */
    private readonly opts: { workers?: number } = {},
  ) {
    this.logger = ctx.logger.child(name);
  }

  /** Reconcile the object named by `key` (`namespace/name`); throw to retry with backoff. */
  protected abstract sync(key: string): Promise<SyncResult | void>;

  enqueue(obj: ClientObject): void {
    this.queue.add(objectKey(obj));
  }

  run(): void {
    this.workers ??= runWorkers(
      this.queue,
      this.opts.workers ?? this.ctx.options.workers ?? 5,
      (key) => this.sync(key),
      this.logger,
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.workers;
  }
}
