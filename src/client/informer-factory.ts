import type { ClientObject } from './object.js';
import type { Logger } from '../util/logger.js';
import { Informer, type InformerOptions } from './informer.js';
import type { ResourceType } from './resources.js';
import type { ApiClient } from './rest.js';

/** One informer per resource (and selector), shared by every controller of a process. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<ClientObject>>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly defaults: { logger?: Logger; resyncMs?: number } = {},
  ) {}

  informer<T extends ClientObject>(type: ResourceType, opts: InformerOptions = {}): Informer<T> {
    const id = [
      type.group,
      type.resource,
      opts.namespace ?? '',
      opts.labelSelector ?? '',
      opts.fieldSelector ?? '',
    ].join('|');
    let informer = this.informers.get(id) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(this.client.resource<T>(type), {
        ...(this.defaults.logger ? { logger: this.defaults.logger.child(type.resource) } : {}),
        ...(this.defaults.resyncMs ? { resyncMs: this.defaults.resyncMs } : {}),
        ...opts,
      });
      this.informers.set(id, informer as unknown as Informer<ClientObject>);
      if (this.started) informer.start();
    }
    return informer;
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
