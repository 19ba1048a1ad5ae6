import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';

/** The service accounts every namespace gets (upstream ServiceAccountsControllerOptions: `default`). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/**
 * Upstream's serviceaccount controller: every active namespace has a `default` ServiceAccount, created with
 * the namespace and re-created if deleted. Queue keys are namespace names.
 */
export class ServiceAccountsController extends QueueController {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;

  constructor(ctx: ControllerContext) {
    super('serviceaccount-controller', ctx);
    this.namespaces = ctx.informers.informer<Namespace>(R.namespaces);
    this.accounts = ctx.informers.informer<ServiceAccount>(R.serviceAccounts);
    this.namespaces.addEventHandler({ add: (n) => this.enqueue(n), update: (_, n) => this.enqueue(n) });
    this.accounts.addEventHandler({
      delete: (sa) => {
        if (DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata?.name ?? ''))
          this.queue.add(sa.metadata?.namespace ?? '');
      },
    });
  }

  protected async sync(name: string): Promise<void> {
    const ns = this.namespaces.get('', name);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const client = this.ctx.client.resource<ServiceAccount>(R.serviceAccounts);
    for (const account of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.accounts.get(name, account)) continue;
      try {
        await client.create({ metadata: { name: account, namespace: name } });
      } catch (err) {
        // Already there (the cache lags), or the namespace started terminating meanwhile.
        if (hasReason(err, 'AlreadyExists') || hasReason(err, 'Forbidden') || hasReason(err, 'NotFound'))
          continue;
        throw err;
      }
    }
  }
}
