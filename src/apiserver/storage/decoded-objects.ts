import { cloneJson, type StoredObject } from '../../api/meta.js';

/**
 * Decoded copies of recently written objects, by key and revision. Most updates read the object back soon
 * after it was written (a pod is created, bound, then reported Running), and a copy of a decoded object costs
 * a fraction of parsing its bytes again. Entries are checked against the revision the store returns, so a
 * stale one is never used; the oldest writes are dropped first.
 */
export class DecodedObjects {
  private readonly entries = new Map<string, { revision: number; object: StoredObject }>();

  constructor(private readonly capacity: number) {}

  /** Keeps a copy: the caller goes on owning `object`. */
  remember(key: string, revision: number, object: StoredObject): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { revision, object: cloneJson(object) });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** A copy of the object as written at `revision`, owned by the caller; undefined if not remembered. */
  recall(key: string, revision: number): StoredObject | undefined {
    const entry = this.entries.get(key);
    return entry && entry.revision === revision ? cloneJson(entry.object) : undefined;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
