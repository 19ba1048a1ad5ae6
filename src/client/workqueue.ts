import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/**
 * A work queue with client-go's guarantees: an item is never handed to two workers at once (an item re-added
 * while it is being processed waits in `dirty` and is queued again on `done`), duplicates collapse, and
 * retries go through a rate limiter.
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiters: ((item: K | undefined) => void)[] = [];
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private stopping = false;

  constructor(private readonly limiter: RateLimiter<K> = defaultControllerRateLimiter<K>()) {}

  add(item: K): void {
    if (this.stopping || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
    } else {
      this.queue.push(item);
    }
  }

  /** Resolves with the next item, or undefined once the queue is shut down. Call `done(item)` when finished. */
  get(): Promise<K | undefined> {
    if (this.head < this.queue.length) {
      const item = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.stopping) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(item: K): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  /** Adds the item after `delayMs`; a sooner request for the same item wins. */
  addAfter(item: K, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.delayed.get(item);
    if (existing) {
      if (existing.at <= at) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(item);
      this.add(item);
    }, delayMs);
    timer.unref();
    this.delayed.set(item, { at, timer });
  }

  addRateLimited(item: K): void {
    this.addAfter(item, this.limiter.whenMs(item));
  }

  /** The item succeeded: reset its backoff. */
  forget(item: K): void {
    this.limiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.limiter.numRequeues(item);
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  /** Stop handing out work: waiting `get`s resolve undefined, pending delayed adds are dropped. */
  shutDown(): void {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }
}
