import type { ClientObject } from './object.js';
import type { Logger } from '../util/logger.js';
import { Informer, type EventHandler, type IndexFunc, type InformerOptions } from './informer.js';
import type { ResourceType } from './resources.js';
import type { ApiClient } from './rest.js';

/** A transform for every informer of a factory or pool (see InformerOptions.transform). */
export type ObjectTransform = <T extends ClientObject>(obj: T) => T;

/** What tells informers apart; a factory or pool gives all of its informers the same transform. */
const informerId = (
  type: ResourceType,
  opts: Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>,
): string =>
  [type.group, type.resource, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join(
    '|',
  );

/** One informer per resource (and selector), shared by every controller of a component. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<ClientObject>>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly defaults: {
      logger?: Logger;
      resyncMs?: number;
      transform?: ObjectTransform;
      shared?: SharedInformerPool;
    } = {},
  ) {}

  informer<T extends ClientObject>(type: ResourceType, opts: InformerOptions<T> = {}): Informer<T> {
    const id = informerId(type, opts);
    let informer = this.informers.get(id) as Informer<T> | undefined;
    if (!informer) {
      const { shared, ...defaults } = this.defaults;
      informer = shared
        ? shared.scoped<T>(type, opts)
        : new Informer<T>(this.client.resource<T>(type), {
            ...(defaults.logger ? { logger: defaults.logger.child(type.resource) } : {}),
            ...(defaults.resyncMs ? { resyncMs: defaults.resyncMs } : {}),
            ...(defaults.transform ? { transform: defaults.transform } : {}),
            ...opts,
          });
      this.informers.set(id, informer as unknown as Informer<ClientObject>);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** The resources (plural, with `.group` for named groups) this factory has informers for, selectors aside. */
  resources(): string[] {
    const names = [...this.informers.keys()].map((id) => {
      const [group, resource] = id.split('|', 2);
      return group ? `${resource}.${group}` : (resource ?? '');
    });
    return [...new Set(names)];
  }

  /** Starts every informer made so far and any made later. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    this.started = false;
    for (const informer of this.informers.values()) informer.stop();
  }
}

/**
 * Informers that several components of one process share (the scheduler and the controller-manager inside
 * `tugboat server`): one cache and one watch per resource instead of one per component, which halves the
 * memory their pods and nodes take and the events the API server sends. Each component sees its own
 * ScopedInformer: stopping it removes that component's handlers, and the shared informer stops with its last
 * user.
 */
export class SharedInformerPool {
  private readonly entries = new Map<string, { informer: Informer<ClientObject>; users: number }>();

  constructor(
    readonly client: ApiClient,
    private readonly defaults: { logger?: Logger; transform?: ObjectTransform } = {},
  ) {}

  scoped<T extends ClientObject>(type: ResourceType, opts: InformerOptions<T> = {}): Informer<T> {
    const id = informerId(type, opts);
    let entry = this.entries.get(id);
    if (!entry) {
      const informer = new Informer<T>(this.client.resource<T>(type), {
        ...(this.defaults.logger ? { logger: this.defaults.logger.child(type.resource) } : {}),
        ...(this.defaults.transform ? { transform: this.defaults.transform } : {}),
        ...opts,
      });
      entry = { informer: informer as unknown as Informer<ClientObject>, users: 0 };
      this.entries.set(id, entry);
    }
    const shared = entry;
    return new ScopedInformer<T>(shared.informer as unknown as Informer<T>, {
      acquire: () => {
        if (shared.users++ === 0) shared.informer.start();
      },
      release: () => {
        if (--shared.users === 0) shared.informer.stop();
      },
    });
  }

  /** Informers still running (tests). */
  get running(): number {
    return [...this.entries.values()].filter((e) => e.users > 0).length;
  }
}

/** One component's view of a shared informer: reads go to the shared cache, handlers are the component's own. */
export class ScopedInformer<T extends ClientObject> extends Informer<T> {
  private readonly mine: EventHandler<T>[] = [];
  private active = false;
  private released: (() => void) | undefined;

  constructor(
    private readonly shared: Informer<T>,
    private readonly use: { acquire(): void; release(): void },
  ) {
    super(shared.client);
  }

  override addEventHandler(handler: EventHandler<T>): void {
    this.mine.push(handler);
    this.shared.addEventHandler(handler);
  }

  override removeEventHandler(handler: EventHandler<T>): void {
    const i = this.mine.indexOf(handler);
    if (i >= 0) this.mine.splice(i, 1);
    this.shared.removeEventHandler(handler);
  }

  override addIndexer(name: string, fn: IndexFunc<T>): void {
    this.shared.addIndexer(name, fn);
  }

  override start(): void {
    if (this.active) return;
    this.active = true;
    this.use.acquire();
  }

  /** Removes this component's handlers and releases the shared informer; waitForSync callers are let go. */
  override stop(): void {
    if (!this.active) return;
    this.active = false;
    for (const h of this.mine.splice(0)) this.shared.removeEventHandler(h);
    this.use.release();
    this.released?.();
    this.released = undefined;
  }

  override hasSynced(): boolean {
    return this.shared.hasSynced();
  }

  override waitForSync(): Promise<void> {
    if (this.shared.hasSynced()) return Promise.resolve();
    return Promise.race([
      this.shared.waitForSync(),
      new Promise<void>((resolve) => {
        const before = this.released;
        this.released = () => {
          before?.();
          resolve();
        };
      }),
    ]);
  }

  override lastSyncResourceVersion(): string {
    return this.shared.lastSyncResourceVersion();
  }

  override getByKey(key: string): T | undefined {
    return this.shared.getByKey(key);
  }

  override get(namespace: string, name: string): T | undefined {
    return this.shared.get(namespace, name);
  }

  override list(namespace?: string): T[] {
    return this.shared.list(namespace);
  }

  override byIndex(indexName: string, value: string): T[] {
    return this.shared.byIndex(indexName, value);
  }

  override keys(): string[] {
    return this.shared.keys();
  }

  override get size(): number {
    return this.shared.size;
  }
}
