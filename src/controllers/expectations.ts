import type { Clock } from '../util/clock.js';

const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  at: number;
}

/**
 * Upstream's ControllerExpectations: after a controller asks for N creations or deletions it does not act on
 * that owner again until the informer has shown them (or five minutes passed), so it never creates twice
 * from a stale cache.
 */
export class Expectations {
  private readonly byKey = new Map<string, Expectation>();
  constructor(private readonly clock: Clock) {}

  expectCreations(key: string, count: number): void {
    this.byKey.set(key, { adds: count, deletes: new Set(), at: this.clock.now() });
  }

  /** `ids` identify the deleted objects (namespace/name keys), so each observed delete is counted once. */
  expectDeletions(key: string, ids: string[]): void {
    this.byKey.set(key, { adds: 0, deletes: new Set(ids), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  /** A creation that failed will never be observed. */
  lowerCreations(key: string, count = 1): void {
    const e = this.byKey.get(key);
    if (e) e.adds = Math.max(0, e.adds - count);
  }

  deletionObserved(key: string, id: string): void {
    this.byKey.get(key)?.deletes.delete(id);
  }

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
