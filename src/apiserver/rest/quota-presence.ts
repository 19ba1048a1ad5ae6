import type { Clock } from '../../util/clock.js';
import type { Registry } from '../registry/index.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';

/** How long a live lookup that found no quota in a namespace is trusted (upstream's liveTTL: 30 s). */
const LIVE_LOOKUP_TTL_MS = 30_000;

/**
 * Which namespaces have ResourceQuotas, so quota admission lists a namespace's quotas only where there are
 * some: the watch cache keeps a count per namespace, and a namespace the watch shows none in is confirmed
 * once by a live lookup, trusted for 30 s, as upstream's quota admission does with its lister and live
 * lookup cache (a quota created a moment ago may not have reached the watch yet).
 */
export class QuotaPresence {
  private readonly counts = new Map<string, number>();
  private readonly confirmedEmpty = new Map<string, number>();

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  async track(watchCache: WatchCache): Promise<Subscription> {
    const def = this.registry.mustGet('', 'resourcequotas');
    const page = await this.storage.list(def);
    for (const q of page.items) this.bump(q.metadata.namespace ?? '', 1);
    return watchCache.subscribe({
      prefix: resourcePrefix(def),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        const ns = ev.parsed.namespace ?? '';
        if (ev.type === 'ADDED') this.bump(ns, 1);
        else if (ev.type === 'DELETED') this.bump(ns, -1);
      },
      onClose: () => this.counts.clear(),
    });
  }

  /** False when the namespace surely has no quota; true when its quotas must be read. */
  mayHaveQuotas(namespace: string): boolean {
    if ((this.counts.get(namespace) ?? 0) > 0) return true;
    const until = this.confirmedEmpty.get(namespace);
    return until === undefined || until < this.clock.now();
  }

  /** A live lookup found no quota in the namespace. */
  confirmEmpty(namespace: string): void {
    this.confirmedEmpty.set(namespace, this.clock.now() + LIVE_LOOKUP_TTL_MS);
  }

  private bump(namespace: string, delta: number): void {
    const n = (this.counts.get(namespace) ?? 0) + delta;
    if (n > 0) this.counts.set(namespace, n);
    else this.counts.delete(namespace);
    if (delta > 0) this.confirmedEmpty.delete(namespace);
  }
}
