import { hasReason } from '../api/errors.js';
import type { ClientObject } from './object.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { ResourceClient, WatchEvent } from './rest.js';
import type { LineStream } from './transport.js';

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(old: T, cur: T): void;
  /** Gets the last state the informer saw (it may have missed the final update). */
  delete?(obj: T): void;
}

export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions<T extends ClientObject = ClientObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Hand every cached object to `update(obj, obj)` this often; 0 disables resync. */
  resyncMs?: number;
  logger?: Logger;
  /** Page size of the initial list and of relists. */
  pageSize?: number;
  /**
   * Applied to every object a list or watch brings, before it is cached or handed to handlers (client-go's
   * SetTransform); it may change the object in place.
   */
  transform?: (obj: T) => T;
}

/**
 * Drops `metadata.managedFields`, which controllers and the scheduler never read, as upstream's
 * controller-manager and scheduler do for their caches: about a third of a pod's JSON, kept for every cached
 * pod. Updates built from a cached object still keep the stored managedFields: the API server takes them from
 * the stored object when a write sends none.
 */
export function stripManagedFields<T extends ClientObject>(obj: T): T {
  const meta = obj.metadata as { managedFields?: unknown } | undefined;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  return obj;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(obj: ClientObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash === -1
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const NAMESPACE_INDEX = 'namespace';
const MAX_BACKOFF_MS = 30_000;

/**
 * A cache of one resource kept current by list + watch, with indexes and event handlers (client-go's
 * SharedIndexInformer). The watch resumes from the last seen resourceVersion; a 410 Expired relists and the
 * difference (adds, updates, deletes) is delivered to handlers. Cached objects are shared: never mutate them.
 */
export class Informer<T extends ClientObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly logger: Logger;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private running = false;
  private resourceVersion = '';
  private stream: LineStream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    readonly client: ResourceClient<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.logger = opts.logger ?? silentLogger;
    // Not through addIndexer, which a subclass may override.
    this.indexers.set(NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']);
    this.indexes.set(NAMESPACE_INDEX, new Map());
  }

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    // A handler added late still sees the current contents, as client-go does.
    if (this.synced) for (const obj of this.items.values()) this.call(handler, 'add', obj);
  }

  removeEventHandler(handler: EventHandler<T>): void {
    const i = this.handlers.indexOf(handler);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) this.indexAdd(index, fn, key, obj);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.listAndWatch();
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  /** Stops list/watch; anyone waiting in waitForSync is released (check hasSynced). */
  stop(): void {
    this.running = false;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    clearTimeout(this.retryTimer);
    clearInterval(this.resyncTimer);
    this.stream?.close();
    this.stream = undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byIndex(indexName: string, value: string): T[] {
    const keys = this.indexes.get(indexName)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  private async listAndWatch(): Promise<void> {
    try {
      await this.relist();
      this.failures = 0;
      await this.watch();
    } catch (err) {
      this.retryLater(err, () => void this.listAndWatch());
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.listAll(this.opts.namespace ?? '', {
      ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
      ...(this.opts.fieldSelector ? { fieldSelector: this.opts.fieldSelector } : {}),
      limit: this.opts.pageSize ?? 500,
    });
    if (!this.running) return;
    const seen = new Set<string>();
    const transform = this.opts.transform;
    for (const item of list.items) {
      const obj = transform ? transform(item) : item;
      const key = objectKey(obj);
      seen.add(key);
      this.upsert(key, obj);
    }
    for (const [key, obj] of [...this.items]) {
      if (!seen.has(key)) this.remove(key, obj);
    }
    this.resourceVersion = list.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private async watch(): Promise<void> {
    if (!this.running) return;
    this.stream = await this.client.watch(
      this.opts.namespace ?? '',
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // Upstream reflectors pick 5–10 minutes; ending watches now and then spreads reconnections.
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
        ...(this.opts.fieldSelector ? { fieldSelector: this.opts.fieldSelector } : {}),
      },
      (event) => this.onWatchEvent(event),
      (err) => this.onWatchEnd(err),
    );
    if (!this.running) this.stream.close();
  }

  private onWatchEvent(event: WatchEvent<T>): void {
    const rv = event.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const obj = this.opts.transform ? this.opts.transform(event.object) : event.object;
    const key = objectKey(obj);
    if (event.type === 'DELETED') {
      const old = this.items.get(key);
      this.remove(key, old ?? obj, obj);
    } else {
      this.upsert(key, obj);
    }
  }

  private onWatchEnd(err?: Error): void {
    this.stream = undefined;
    if (!this.running) return;
    if (hasReason(err, 'Expired') || hasReason(err, 'Gone')) {
      this.logger.info('watch expired, relisting', { resource: this.client.type.resource });
      void this.listAndWatch();
      return;
    }
    if (err) {
      this.retryLater(err, () => void this.watch().catch((e: unknown) => this.onWatchEnd(e as Error)));
      return;
    }
    this.failures = 0;
    void this.watch().catch((e: unknown) => this.onWatchEnd(e as Error));
  }

  private retryLater(err: unknown, again: () => void): void {
    if (!this.running) return;
    this.failures++;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10));
    this.logger.warn('list/watch failed, retrying', {
      resource: this.client.type.resource,
      error: err instanceof Error ? err.message : String(err),
      retryInMs: delay,
    });
    this.retryTimer = setTimeout(again, delay);
  }

  private upsert(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexAdd(this.indexes.get(name)!, fn, key, obj);
    for (const h of this.handlers) {
      if (old) this.call(h, 'update', old, obj);
      else this.call(h, 'add', obj);
    }
  }

  private remove(key: string, old: T, final?: T): void {
    if (this.items.has(key)) {
      this.unindex(key, old);
      this.items.delete(key);
    }
    for (const h of this.handlers) this.call(h, 'delete', final ?? old);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.items.values()) for (const h of this.handlers) this.call(h, 'update', obj, obj);
  }

  private indexAdd(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }

  private call(h: EventHandler<T>, what: 'add' | 'update' | 'delete', a: T, b?: T): void {
    try {
      if (what === 'add') h.add?.(a);
      else if (what === 'update') h.update?.(a, b!);
      else h.delete?.(a);
    } catch (err) {
      this.logger.error('event handler failed', {
        resource: this.client.type.resource,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  }
}
