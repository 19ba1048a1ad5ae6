import { internalError } from '../../api/errors.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  StoreEvent,
  WatchCallbacks,
  Watcher,
} from '../../store/types.js';
import type { Logger } from '../../util/logger.js';
import { ROOT_PREFIX } from '../storage/keys.js';
import type { EncryptionConfig } from './config.js';
import type { ValueTransformer } from './providers.js';

/**
 * The store as the API server sees it with an EncryptionConfiguration: values of configured resources are
 * encrypted on their way in and decrypted on their way out (reads, writes' answers, watch events), so nothing
 * above this layer changes. A value read with any but the writing provider comes back `stale`, which makes an
 * otherwise unchanged update write it again (how `kubectl replace` re-encrypts after a key rotation).
 */
export class EncryptingStore implements Store {
  private readonly transformers = new Map<string, ValueTransformer | undefined>();

  constructor(
    private readonly inner: Store,
    private config: EncryptionConfig,
    private readonly log: Logger,
  ) {
    if (inner.whenPendingPublished) this.whenPendingPublished = (done) => inner.whenPendingPublished!(done);
  }

  whenPendingPublished?: (done: () => void) => boolean;

  /** Use a new configuration from the next read or write on (the configuration file was edited). */
  reconfigure(config: EncryptionConfig): void {
    this.config = config;
    this.transformers.clear();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.decrypt(kv);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const result = await this.inner.list(prefix, opts);
    return { ...result, items: result.items.map((kv) => this.decrypt(kv)) };
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  async create(key: string, value: Buffer): Promise<KeyValue> {
    const kv = await this.inner.create(key, this.encrypt(key, value));
    return { ...kv, value };
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    const kv = await this.inner.update(key, this.encrypt(key, value), expectedModRevision);
    return { ...kv, value };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.decrypt(await this.inner.delete(key, expectedModRevision));
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    return this.inner.watch(prefix, fromRevision, {
      onEvents: (events) => callbacks.onEvents(this.decryptEvents(events)),
      onError: (err) => callbacks.onError(err),
    });
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** `/registry/<group>/<resource>/…` → that resource's transformer, looked up once per resource. */
  private transformerFor(key: string): ValueTransformer | undefined {
    if (!key.startsWith(ROOT_PREFIX)) return undefined;
    const groupEnd = key.indexOf('/', ROOT_PREFIX.length);
    const resourceEnd = groupEnd < 0 ? -1 : key.indexOf('/', groupEnd + 1);
    if (resourceEnd < 0) return undefined;
    const id = key.slice(ROOT_PREFIX.length, resourceEnd);
    if (this.transformers.has(id)) return this.transformers.get(id);
    const group = key.slice(ROOT_PREFIX.length, groupEnd);
    const resource = key.slice(groupEnd + 1, resourceEnd);
    const transformer = this.config.transformerFor(group === 'core' ? '' : group, resource);
    this.transformers.set(id, transformer);
    return transformer;
  }

  private encrypt(key: string, value: Buffer): Buffer {
    const transformer = this.transformerFor(key);
    if (!transformer) return value;
    try {
      return transformer.toStorage(value, key);
    } catch (err) {
      throw internalError(`unable to transform key ${JSON.stringify(key)}: ${(err as Error).message}`);
    }
  }

  private decrypt(kv: KeyValue): KeyValue {
    const transformer = this.transformerFor(kv.key);
    // A deletion record some backends keep without its value has nothing to decrypt.
    if (!transformer || kv.value.length === 0) return kv;
    try {
      const { value, stale } = transformer.fromStorage(kv.value, kv.key);
      return stale ? { ...kv, value, stale } : { ...kv, value };
    } catch (err) {
      throw internalError(`unable to transform key ${JSON.stringify(kv.key)}: ${(err as Error).message}`);
    }
  }

  /** An event whose value cannot be read is left out (and logged): the watch goes on for everything else. */
  private decryptEvents(events: StoreEvent[]): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const event of events) {
      try {
        const kv = this.decrypt(event.kv);
        const prevKv = event.prevKv && this.decrypt(event.prevKv);
        out.push(prevKv ? { ...event, kv, prevKv } : { ...event, kv });
      } catch (err) {
        this.log.error('dropped a watch event that cannot be decrypted', {
          key: event.kv.key,
          error: (err as Error).message,
        });
      }
    }
    return out;
  }
}
