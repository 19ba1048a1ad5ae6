import type { Logger } from '../util/logger.js';
import {
  CompactedError,
  StoreClosedError,
  type StoreEvent,
  type WatchCallbacks,
  type Watcher,
} from './types.js';

/** What a backend with its own history (memory, sqlite) offers the hub. Reads are synchronous. */
export interface HistorySource {
  /** Committed events under prefix with revision > after, in revision order, at most limit. */
  readEvents(prefix: string, after: number, limit: number): StoreEvent[];
  /** Latest committed revision. */
  head(): number;
  compacted(): number;
}

interface Subscriber {
  prefix: string;
  /** Every event with revision <= cursor has been delivered (or filtered out). */
  cursor: number;
  catchingUp: boolean;
  closed: boolean;
  callbacks: WatchCallbacks;
}

const REPLAY_PAGE = 1000;

/**
 * Fans committed events out to watchers. A new watcher first replays history from the source in pages
 * (yielding to the event loop between pages), then switches to live events. Because reads and commits
 * are synchronous in this thread, the switch leaves no gap and delivers nothing twice.
 */
export class WatchHub {
  private readonly subs = new Set<Subscriber>();

  constructor(
    private readonly source: HistorySource,
    private readonly logger: Logger,
  ) {}

  add(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher {
    const compacted = this.source.compacted();
    if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);
    const sub: Subscriber = { prefix, cursor: fromRevision, catchingUp: true, closed: false, callbacks };
    this.subs.add(sub);
    setImmediate(() => this.catchUp(sub));
    return {
      close: () => {
        sub.closed = true;
        this.subs.delete(sub);
      },
    };
  }

  /** Call right after a commit with its events in revision order. */
  publish(events: StoreEvent[]): void {
    const last = events[events.length - 1];
    if (!last) return;
    for (const sub of this.subs) {
      if (sub.catchingUp) continue;
      const mine = events.filter((e) => e.revision > sub.cursor && e.kv.key.startsWith(sub.prefix));
      sub.cursor = Math.max(sub.cursor, last.revision);
      if (mine.length > 0) this.deliver(sub, mine);
    }
  }

  /** End every watch with err (default: the store closed). */
  closeAll(err: Error = new StoreClosedError()): void {
    const subs = [...this.subs];
    this.subs.clear();
    for (const sub of subs) this.fail(sub, err);
  }

  get size(): number {
    return this.subs.size;
  }

  private catchUp(sub: Subscriber): void {
    if (sub.closed) return;
    try {
      const compacted = this.source.compacted();
      if (sub.cursor < compacted) throw new CompactedError(sub.cursor, compacted);
      const events = this.source.readEvents(sub.prefix, sub.cursor, REPLAY_PAGE);
      const last = events[events.length - 1];
      if (events.length === REPLAY_PAGE && last) {
        sub.cursor = last.revision;
        this.deliver(sub, events);
        setImmediate(() => this.catchUp(sub));
        return;
      }
      sub.cursor = Math.max(sub.cursor, this.source.head());
      sub.catchingUp = false;
      if (events.length > 0) this.deliver(sub, events);
    } catch (err) {
      this.subs.delete(sub);
      this.fail(sub, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private deliver(sub: Subscriber, events: StoreEvent[]): void {
    if (sub.closed) return;
    try {
      sub.callbacks.onEvents(events);
    } catch (err) {
      this.logger.error('watch consumer threw', { error: String(err) });
    }
  }

  private fail(sub: Subscriber, err: Error): void {
    if (sub.closed) return;
    sub.closed = true;
    try {
      sub.callbacks.onError(err);
    } catch (e) {
      this.logger.error('watch consumer threw', { error: String(e) });
    }
  }
}
