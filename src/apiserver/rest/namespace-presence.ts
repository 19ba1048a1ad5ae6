import type { StoredObject } from '../../api/meta.js';
import type { Clock } from '../../util/clock.js';
import type { Registry } from '../registry/index.js';
import type { ResourceDef } from '../registry/types.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';

/** How long a live lookup that found no object in a namespace is trusted (upstream's liveTTL: 30 s). */
const LIVE_LOOKUP_TTL_MS = 30_000;

/**
 * Which namespaces hold objects of one core resource (ResourceQuotas, LimitRanges), so the admission plugin
 * that reads them lists a namespace only where there are some: the watch cache keeps a count per namespace,
 * and a namespace the watch shows none in is confirmed once by a live lookup, trusted for 30 s, as upstream's
 * quota and limit range admission do with their lister and live lookup cache (an object created a moment ago
 * may not have reached the watch yet).
 */
export class NamespacePresence {
  private readonly counts = new Map<string, number>();
  private readonly confirmedEmpty = new Map<string, number>();

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
    private readonly clock: Clock,
    /** The core resource counted: `resourcequotas`, `limitranges`. */
    private readonly resource: string,
  ) {}

  async track(watchCache: WatchCache): Promise<Subscription> {
    const def = this.def();
    const page = await this.storage.list(def);
    for (const o of page.items) this.bump(o.metadata.namespace ?? '', 1);
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

  /** False when the namespace surely has none; true when its objects must be read. */
  mayHave(namespace: string): boolean {
    if ((this.counts.get(namespace) ?? 0) > 0) return true;
    const until = this.confirmedEmpty.get(namespace);
    return until === undefined || until < this.clock.now();
  }

  /** A live lookup found none in the namespace. */
  confirmEmpty(namespace: string): void {
    this.confirmedEmpty.set(namespace, this.clock.now() + LIVE_LOOKUP_TTL_MS);
  }

  /** The namespace's objects from the store, sorted by name; no read where it surely has none. */
  async list(namespace: string): Promise<StoredObject[]> {
    if (!this.mayHave(namespace)) return [];
    const items = (await this.storage.list(this.def(), { namespace })).items;
    if (items.length === 0) this.confirmEmpty(namespace);
    return [...items].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  private def(): ResourceDef {
    return this.registry.mustGet('', this.resource);
  }

  private bump(namespace: string, delta: number): void {
    const n = (this.counts.get(namespace) ?? 0) + delta;
    if (n > 0) this.counts.set(namespace, n);
    else this.counts.delete(namespace);
    if (delta > 0) this.confirmedEmpty.delete(namespace);
  }
}
