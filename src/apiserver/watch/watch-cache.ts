import { tooOldResourceVersion } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';
import type { KeyValue, Store, StoreEvent, Watcher } from '../../store/types.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { FlushQueue } from './flush-queue.js';
import { decodeKv, spliceResourceVersion } from '../storage/object-storage.js';
import { parseKey, type ParsedKey } from '../storage/keys.js';

export type CachedEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A store event decoded once and shared by every watcher; encodings are memoized per representation. */
export interface CachedEvent {
  type: CachedEventType;
  revision: number;
  key: string;
  parsed: ParsedKey;
  /** Decoded on first use: events nobody watches are never parsed. */
  readonly object: StoredObject;
  readonly prevObject: StoredObject | undefined;
  /** JSON of the object as stored (canonical version) with its resourceVersion, made without parsing it. */
  readonly storedJson: string;
  encoded: Map<string, string>;
}

class StoreBackedEvent implements CachedEvent {
  /** Memoized encodings, dropped (release) once the live fan-out is over; a replay makes them again. */
  readonly encoded = new Map<string, string>();
  private decoded?: StoredObject;
  private decodedPrev?: StoredObject;
  private json?: string;

  constructor(
    readonly type: CachedEventType,
    readonly revision: number,
    readonly key: string,
    readonly parsed: ParsedKey,
    private readonly kv: KeyValue,
    private readonly prevKv: KeyValue | undefined,
  ) {}

  get object(): StoredObject {
    return (this.decoded ??= decodeKv(this.kv));
  }

  get storedJson(): string {
    return (this.json ??= spliceResourceVersion(this.kv));
  }

  get prevObject(): StoredObject | undefined {
    if (!this.prevKv) return undefined;
    return (this.decodedPrev ??= decodeKv(this.prevKv));
  }

  /**
   * Forgets what was decoded and encoded for the watchers. The buffer keeps events for seconds, and their
   * decoded objects and JSON strings, kept that long, were old-generation garbage the collector paid for.
   */
  release(): void {
    this.encoded.clear();
    this.decoded = undefined;
    this.decodedPrev = undefined;
    this.json = undefined;
  }
}

export interface Subscription {
  close(): void;
}

/** Fields a watch can be indexed by (upstream's watch-cache triggers: a kubelet's pods, one object by name). */
export type IndexedField = 'metadata.name' | 'spec.nodeName';

export interface SubscribeOptions {
  /** Resource prefix (`/registry/apps/deployments/`), optionally with a namespace segment (`resourcePrefix`). */
  prefix: string;
  /**
   * The subscriber's selection pins `field` to `value`: it is handed only the events of objects that have that
   * value before or after the event, instead of every event under its prefix (a thousand kubelets watching their
   * own pods no longer each see every pod). onEvent still applies the whole selection.
   */
  index?: { field: IndexedField; value: string };
  /** Deliver events with revision > fromRevision. */
  fromRevision: number;
  onEvent(ev: CachedEvent): void;
  /** The cache stopped (store watch failed or server closing). */
  onClose(err?: Error): void;
}

interface Subscriber extends SubscribeOptions {
  closed: boolean;
  /** The latest revision when it subscribed: that and older events came from the buffer. */
  subscribedAt: number;
}

/** The subscribers of one prefix: those that take every event, and those indexed by a field's value. */
class PrefixSubscribers {
  readonly all = new Set<Subscriber>();
  readonly indexed = new Map<IndexedField, Map<string, Set<Subscriber>>>();
  size = 0;

  add(sub: Subscriber): void {
    this.size++;
    if (!sub.index) {
      this.all.add(sub);
      return;
    }
    let byValue = this.indexed.get(sub.index.field);
    if (!byValue) this.indexed.set(sub.index.field, (byValue = new Map()));
    let set = byValue.get(sub.index.value);
    if (!set) byValue.set(sub.index.value, (set = new Set()));
    set.add(sub);
  }

  delete(sub: Subscriber): void {
    if (!sub.index) {
      if (this.all.delete(sub)) this.size--;
      return;
    }
    const byValue = this.indexed.get(sub.index.field);
    const set = byValue?.get(sub.index.value);
    if (!byValue || !set?.delete(sub)) return;
    this.size--;
    if (set.size === 0) byValue.delete(sub.index.value);
    if (byValue.size === 0) this.indexed.delete(sub.index.field);
  }

  *each(): Iterable<Subscriber> {
    yield* this.all;
    for (const byValue of this.indexed.values()) for (const set of byValue.values()) yield* set;
  }
}

/** An event's value of an indexed field, after and before it (undefined where there is no such object). */
function indexedValues(field: IndexedField, ev: CachedEvent): [string | undefined, string | undefined] {
  if (field === 'metadata.name') return [ev.parsed.name, ev.parsed.name];
  const now = ev.type === 'DELETED' ? undefined : nodeNameOf(ev.object);
  const prev = ev.prevObject;
  return [now, prev ? nodeNameOf(prev) : undefined];
}

function nodeNameOf(obj: StoredObject): string {
  const nodeName = (obj.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof nodeName === 'string' ? nodeName : '';
}

/**
 * One store watch on the whole registry fans events out to all API watchers. Keeps a bounded window of recent
 * events so a watch can resume from a recent resourceVersion; older ones get 410 Expired.
 */
export class WatchCache {
  private readonly buffer: CachedEvent[] = [];
  private readonly capacity: number;
  /** Events with revision > this are all in the buffer (or still to come). */
  private windowStart = 0;
  private latest = 0;
  /** Subscribers by their exact prefix: a resource's, or a resource's in one namespace. */
  private readonly byPrefix = new Map<string, PrefixSubscribers>();
  private storeWatch?: Watcher;
  private stopped = false;
  private readonly logger: Logger;
  /**
   * Where watch streams queue their writes: all of them flush in one immediate, once a store commit already
   * on its way has arrived too. A stream's flush does not throw; if one ever did, that is a bug to surface
   * (uncaught).
   */
  readonly flushes = new FlushQueue(
    (err) => {
      throw err;
    },
    (resume) => this.store.whenPendingPublished?.(resume) ?? false,
  );

  constructor(
    private readonly store: Store,
    opts: { capacity?: number; logger?: Logger } = {},
  ) {
    this.capacity = opts.capacity ?? 4096;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Follows the store from its current revision, or with `history` from up to a window's worth of events
   * before it: a server starting beside a running one (an API worker process) can then resume the watches of
   * clients that listed from the other.
   */
  async start(opts: { history?: boolean } = {}): Promise<void> {
    const rev = await this.store.currentRevision();
    const from = opts.history ? Math.max(rev - this.capacity, await this.store.compactedRevision(), 0) : rev;
    this.windowStart = from;
    this.latest = from;
    // Every key (all start with `/`), not only the API's: writes outside it (Service address allocations, bootstrap data) advance the
    // store's revision too, and `latestRevision` must reach the store's current one once it has every write.
    this.storeWatch = this.store.watch('/', from, {
      onEvents: (events) => this.ingest(events),
      onError: (err) => this.fail(err),
    });
  }

  get latestRevision(): number {
    return this.latest;
  }

  /** Throws 410 Expired when fromRevision is older than the retained window. */
  subscribe(opts: SubscribeOptions): Subscription {
    if (this.stopped) throw new Error('watch cache stopped');
    if (opts.fromRevision < this.windowStart)
      throw tooOldResourceVersion(opts.fromRevision, this.windowStart + 1);
    // From a revision this cache has not reached yet (its store's events are on their way), live events up to
    // it are ones the watcher already has (it listed at that revision).
    const sub: Subscriber = {
      ...opts,
      closed: false,
      subscribedAt: Math.max(this.latest, opts.fromRevision),
    };
    let subs = this.byPrefix.get(opts.prefix);
    if (!subs) this.byPrefix.set(opts.prefix, (subs = new PrefixSubscribers()));
    subs.add(sub);
    for (const ev of this.buffer) {
      if (sub.closed) break;
      if (ev.revision > opts.fromRevision && ev.key.startsWith(opts.prefix)) sub.onEvent(ev);
    }
    return {
      close: () => {
        sub.closed = true;
        subs.delete(sub);
        if (subs.size === 0 && this.byPrefix.get(opts.prefix) === subs) this.byPrefix.delete(opts.prefix);
      },
    };
  }

  get watcherCount(): number {
    let n = 0;
    for (const subs of this.byPrefix.values()) n += subs.size;
    return n;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.storeWatch?.close();
    this.closeAll();
  }

  private ingest(events: StoreEvent[]): void {
    const delivered: StoreBackedEvent[] = [];
    for (const e of events) {
      const parsed = parseKey(e.kv.key);
      if (!parsed) {
        this.latest = e.revision;
        continue;
      }
      const type = e.type === 'create' ? 'ADDED' : e.type === 'update' ? 'MODIFIED' : 'DELETED';
      const ev = new StoreBackedEvent(type, e.revision, e.kv.key, parsed, e.kv, e.prevKv);
      this.latest = e.revision;
      this.buffer.push(ev);
      if (this.buffer.length > this.capacity) {
        const dropped = this.buffer.shift()!;
        this.windowStart = dropped.revision;
      }
      // The object's parent prefix: its namespace's within the resource, or the resource's when cluster-scoped.
      const parent = ev.key.slice(0, ev.key.lastIndexOf('/') + 1);
      let reached = this.deliver(this.byPrefix.get(parent), ev);
      if (parsed.namespace !== undefined) {
        const resource = parent.slice(0, parent.lastIndexOf('/', parent.length - 2) + 1);
        reached = this.deliver(this.byPrefix.get(resource), ev) || reached;
      }
      if (reached) delivered.push(ev);
    }
    // Watch streams write what they were given in an immediate queued while they received it (`flushes`);
    // this one usually runs after it (not when that flush waits for a commit on its way). The order does not
    // matter: a stream holds the strings it was given until it writes them.
    if (delivered.length > 0) setImmediate(() => this.releaseAll(delivered));
  }

  private releaseAll(events: StoreBackedEvent[]): void {
    for (const ev of events) ev.release();
  }

  /** Whether any subscriber got the event (only then may it hold decoded objects and encodings). */
  private deliver(subs: PrefixSubscribers | undefined, ev: CachedEvent): boolean {
    if (!subs) return false;
    let reached = deliverTo(subs.all, ev);
    for (const [field, byValue] of subs.indexed) {
      const [now, before] = indexedValues(field, ev);
      if (now !== undefined) reached = deliverTo(byValue.get(now), ev) || reached;
      if (before !== undefined && before !== now) reached = deliverTo(byValue.get(before), ev) || reached;
    }
    return reached;
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.logger.error('store watch failed; ending all watches', { error: err.message });
    this.stopped = true;
    this.closeAll(err);
  }

  private closeAll(err?: Error): void {
    for (const subs of this.byPrefix.values()) {
      for (const sub of [...subs.each()]) {
        sub.closed = true;
        sub.onClose(err);
      }
    }
    this.byPrefix.clear();
  }
}

/**
 * Hands the event to each subscriber of a set. A Set may change while it is iterated: closed subscribers are
 * skipped, and one that subscribes during delivery has this event from the buffer already.
 */
function deliverTo(subs: Set<Subscriber> | undefined, ev: CachedEvent): boolean {
  if (!subs) return false;
  let reached = false;
  for (const sub of subs) {
    if (sub.closed || sub.subscribedAt >= ev.revision) continue;
    sub.onEvent(ev);
    reached = true;
  }
  return reached;
}
