import type { Namespace } from 'kubernetes-types/core/v1.js';
import { R, type SyncResult } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { NamespacedResourcesDeleter } from './deleter.js';

/** Longest wait between passes over a namespace whose content is still going (upstream: estimate/2 + 1 s). */
const MAX_RECHECK_MS = 5_000;

/**
 * Upstream's namespace controller: when a namespace is being deleted, deletes everything in it and then
 * finalizes it, so the API server can remove it.
 */
export class NamespaceController extends QueueController {
  private readonly deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext) {
    super('namespace', ctx);
    this.deleter = new NamespacedResourcesDeleter(ctx.client, ctx.clock);
    const informer = ctx.informers.informer<Namespace>(R.namespaces);
    const onChange = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp) this.enqueue(ns);
    };
    informer.addEventHandler({ add: onChange, update: (_, ns) => onChange(ns) });
  }

  protected override async sync(key: string): Promise<SyncResult | void> {
    const estimate = await this.deleter.delete(key);
    if (estimate > 0) return { requeueAfterMs: Math.min(MAX_RECHECK_MS, (estimate / 2 + 1) * 1000) };
  }
}
