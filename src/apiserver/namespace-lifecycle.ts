import { hasReason } from '../api/errors.js';
import type { KubeObject, StoredObject } from '../api/meta.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { PendingWork } from './pending-work.js';
import type { ApiContext } from './rest/context.js';
import { deleteCanonical } from './rest/delete.js';
import { updateCanonical } from './rest/write.js';
import { resourcePrefix } from './storage/keys.js';
import { cloneJson } from '../api/meta.js';

const FINALIZER = 'kubernetes';
const CONTROLLER_MANAGER_LEASE = 'kube-controller-manager';

/**
 * Finishes namespace deletion when no controller-manager runs (the namespace controller does it otherwise): once
 * a namespace is Terminating, deletes everything in it, then drops its `kubernetes` finalizer so the namespace
 * itself goes away. Level-triggered: reacts to namespace events and re-checks terminating namespaces periodically
 * (objects with finalizers may take a while).
 */
export class NamespaceLifecycle {
  private readonly work: PendingWork;
  private subscription?: { close(): void };

  constructor(
    private readonly ctx: ApiContext,
    opts: { logger?: Logger; resyncMs?: number } = {},
  ) {
    // Objects with finalizers may take a while: what is not finished is looked at again after resyncMs.
    this.work = new PendingWork((name) => this.finalize(name), {
      retryMs: opts.resyncMs ?? 2000,
      logger: opts.logger ?? silentLogger,
      what: 'namespace cleanup',
    });
  }

  async start(): Promise<void> {
    const def = this.ctx.registry.mustGet('', 'namespaces');
    const page = await this.ctx.storage.list(def);
    for (const ns of page.items) if (ns.metadata.deletionTimestamp) this.work.add(ns.metadata.name);
    this.subscription = this.ctx.watchCache.subscribe({
      prefix: resourcePrefix(def),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp)
          this.work.add(ev.object.metadata.name);
      },
      onClose: () => {},
    });
  }

  stop(): void {
    this.work.stop();
    this.subscription?.close();
  }

  /** A controller-manager holding a current lease runs the namespace controller: leave the work to it. */
  private async controllerManagerActive(): Promise<boolean> {
    const def = this.ctx.registry.get('coordination.k8s.io', 'leases');
    if (!def) return false;
    const lease = await this.ctx.storage.get(def, 'kube-system', CONTROLLER_MANAGER_LEASE);
    const spec = lease?.spec as
      { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } | undefined;
    if (!spec?.holderIdentity || !spec.renewTime) return false;
    const expires = Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 15) * 1000;
    return expires > this.ctx.clock.now();
  }

  /** Returns true when the namespace is gone or no longer terminating. */
  private async finalize(name: string): Promise<boolean> {
    const nsDef = this.ctx.registry.mustGet('', 'namespaces');
    const ns = await this.ctx.storage.get(nsDef, undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return true;
    if (await this.controllerManagerActive()) return false;
    let remaining = 0;
    for (const def of this.ctx.registry.defs) {
      if (!def.namespaced || (def.verbs && !def.verbs.includes('delete'))) continue;
      const page = await this.ctx.storage.list(def, { namespace: name });
      for (const obj of page.items) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          // As the namespace controller: dependents go too, whatever the kind's default policy.
          await deleteCanonical(this.ctx, def, obj, { dryRun: false, propagationPolicy: 'Background' });
        } catch (err) {
          if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Check again: what was deleted at once is gone; what has finalizers is still there.
      let left = 0;
      for (const def of this.ctx.registry.defs) {
        if (!def.namespaced || (def.verbs && !def.verbs.includes('delete'))) continue;
        left += (await this.ctx.storage.list(def, { namespace: name, limit: 1 })).items.length;
      }
      if (left > 0) return false;
    }
    await this.removeFinalizer(ns);
    return true;
  }

  private async removeFinalizer(ns: StoredObject): Promise<void> {
    const def = this.ctx.registry.mustGet('', 'namespaces');
    const next = cloneJson(ns) as KubeObject & { spec?: { finalizers?: string[] } };
    next.spec = {
      ...(next.spec ?? {}),
      finalizers: (next.spec?.finalizers ?? []).filter((f) => f !== FINALIZER),
    };
    if (next.spec.finalizers?.length === 0) delete next.spec.finalizers;
    await updateCanonical(this.ctx, def, next, ns, {
      dryRun: false,
      apiVersion: 'v1',
      subresource: 'finalize',
    });
  }
}
