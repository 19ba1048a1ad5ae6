/**
 * Publishes where served Ingresses are reachable: `status.loadBalancer.ingress` set to the listeners' node
 * addresses (what `kubectl get ingress` shows as ADDRESS), by a merge patch of the status subresource when it
 * differs. A failed write is tried again after a pause.
 */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { hasReason } from '../api/errors.js';
import type { ResourceClient } from '../client/index.js';
import type { Logger } from '../util/logger.js';

const RETRY_MS = 5_000;

export class IngressStatusWriter {
  /** Writes in flight, by `namespace/name`, with the addresses they write. */
  private readonly writing = new Map<string, { ips: string; done: Promise<void> }>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ingresses: ResourceClient<Ingress>,
    private readonly log: Logger,
    /** Called after a failed write's pause, to sync again. */
    private readonly retry: () => void,
  ) {}

  /** Brings each served Ingress's published addresses to `ips` (nothing while the node has none). */
  sync(served: readonly Ingress[], ips: readonly string[]): void {
    if (ips.length === 0) return;
    const want = [...ips].sort().join(',');
    for (const ing of served) {
      const current = (ing.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip ?? i.hostname ?? '')
        .join(',');
      const namespace = ing.metadata?.namespace ?? '';
      const name = ing.metadata?.name ?? '';
      const key = `${namespace}/${name}`;
      if (current === want || this.writing.get(key)?.ips === want) continue;
      const patch = { status: { loadBalancer: { ingress: [...ips].sort().map((ip) => ({ ip })) } } };
      const done = this.ingresses
        .patchWithoutResult(namespace, name, 'merge', patch, { subresource: 'status' })
        .catch((err: unknown) => {
          // Deleted meanwhile: nothing to publish.
          if (hasReason(err, 'NotFound')) return;
          this.log.warn('updating an Ingress status failed', { ingress: key, error: String(err) });
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            this.retry();
          }, RETRY_MS);
        })
        .finally(() => {
          if (this.writing.get(key)?.done === done) this.writing.delete(key);
        });
      this.writing.set(key, { ips: want, done });
    }
  }

  /** Waits for the writes in flight and cancels a pending retry. */
  async idle(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await Promise.all([...this.writing.values()].map((w) => w.done));
  }
}
