import { KeyExistsError, KeyNotFoundError, RevisionMismatchError, type Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { encodeRecord, listAllocations, type AllocationEntry } from './allocation-store.js';

/** How a pool's numbers (an IPv4 address, a port) read as the last segment of their key. */
export interface PoolCodec {
  format(n: number): string;
  parse(segment: string): number | undefined;
}

export interface PoolOptions {
  store: Store;
  /** Key prefix, ending in `/`. */
  prefix: string;
  /** Candidates for automatic allocation, inclusive. */
  first: number;
  last: number;
  /** Where the first scan starts (defaults to first). */
  start?: number;
  codec: PoolCodec;
  clock: Clock;
}

/** Conflicts in one allocation after which the cache is read again from the store (others are allocating). */
const RELOAD_AFTER_CONFLICTS = 16;

/**
 * A range of numbers handed out through the store: a number is taken when its key exists, and `create` (which
 * fails when the key exists) is what takes it, so any number of pools over one store never hand out the same
 * one. The in-memory set of used numbers only picks candidates: it may miss what other servers took (their
 * create wins, this one moves on) or still hold what they freed (read again when the range looks full).
 */
export class AddressPool {
  private readonly used = new Set<number>();
  /** Numbers whose create is on its way: a reload from the store must not forget them. */
  private readonly inFlight = new Set<number>();
  private next: number;
  private reloading?: Promise<void>;

  constructor(private readonly opts: PoolOptions) {
    this.next = opts.start ?? opts.first;
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  get codec(): PoolCodec {
    return this.opts.codec;
  }

  /** Whether the cache counts n as taken (tests, diagnostics). */
  cachedAsUsed(n: number): boolean {
    return this.used.has(n);
  }

  /** Whether n lies in the range this pool hands out. */
  contains(n: number): boolean {
    return n >= this.opts.first && n <= this.opts.last;
  }

  keyOf(n: number): string {
    return this.opts.prefix + this.opts.codec.format(n);
  }

  /** Takes n in the store: false when someone holds it already. Store failures other than that throw. */
  async claim(n: number, service?: string): Promise<boolean> {
    // Marked before the first await: concurrent allocations in this process skip it.
    this.used.add(n);
    this.inFlight.add(n);
    try {
      await this.opts.store.create(this.keyOf(n), encodeRecord(this.opts.clock, service));
      return true;
    } catch (err) {
      if (err instanceof KeyExistsError) return false;
      this.used.delete(n);
      throw err;
    } finally {
      this.inFlight.delete(n);
    }
  }

  /** The next free number (scanning on from the last one handed out), or undefined when the range is full. */
  async allocate(service?: string): Promise<number | undefined> {
    const span = this.opts.last - this.opts.first + 1;
    let conflicts = 0;
    let reloaded = false;
    // Bounded: each conflict marks a number used; reloads (once per call) are the only thing that clears marks.
    for (let attempt = 0; attempt <= 2 * span; attempt++) {
      const candidate = this.nextFree(span);
      if (candidate === undefined) {
        if (reloaded) return undefined;
        await this.reload();
        reloaded = true;
        continue;
      }
      if (await this.claim(candidate, service)) return candidate;
      if (++conflicts >= RELOAD_AFTER_CONFLICTS && !reloaded) {
        await this.reload();
        reloaded = true;
      }
    }
    return undefined;
  }

  /** Frees n (its key is deleted; a missing key is already free). */
  async release(n: number): Promise<void> {
    try {
      await this.opts.store.delete(this.keyOf(n));
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
    }
    this.used.delete(n);
  }

  /** Frees a leaked entry unless it was written again since it was read. True when it was deleted. */
  async releaseEntry(entry: AllocationEntry): Promise<boolean> {
    try {
      await this.opts.store.delete(entry.key, entry.modRevision);
    } catch (err) {
      if (err instanceof KeyNotFoundError || err instanceof RevisionMismatchError) return false;
      throw err;
    }
    const n = this.opts.codec.parse(entry.name);
    if (n !== undefined) this.used.delete(n);
    return true;
  }

  /** Every key of the pool as stored. */
  entries(): Promise<AllocationEntry[]> {
    return listAllocations(this.opts.store, this.opts.prefix);
  }

  /** Replaces the cache with what the store holds (concurrent callers share one read). */
  reload(): Promise<void> {
    this.reloading ??= this.entries()
      .then((entries) => this.resync(entries))
      .finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** Replaces the cache with these stored entries (plus creates still on their way). */
  resync(entries: Iterable<AllocationEntry>): void {
    this.used.clear();
    for (const entry of entries) {
      const n = this.opts.codec.parse(entry.name);
      if (n !== undefined) this.used.add(n);
    }
    for (const n of this.inFlight) this.used.add(n);
  }

  private nextFree(span: number): number | undefined {
    const { first } = this.opts;
    for (let i = 0; i < span; i++) {
      const candidate = first + ((((this.next - first + i) % span) + span) % span);
      if (!this.used.has(candidate)) {
        this.next = candidate + 1;
        return candidate;
      }
    }
    return undefined;
  }
}
