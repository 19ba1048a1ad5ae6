import type { Clock } from '../../util/clock.js';
import type { FailedPodBackoff } from './plan.js';

const INITIAL_MS = 1000;
const MAX_MS = 15 * 60_000;

/**
 * Per-node backoff for replacing failed daemon pods (upstream flowcontrol.Backoff, 1 s doubling to 15 min; an
 * entry idle for twice the maximum starts over).
 */
export class NodeBackoff {
  private readonly entries = new Map<string, { delayMs: number; lastMs: number }>();
  constructor(private readonly clock: Clock) {}

  forDaemonSet(uid: string): FailedPodBackoff {
    return { tryNext: (node) => this.tryNext(`${uid}/${node}`) };
  }

  private tryNext(key: string): number {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.lastMs < entry.delayMs) return entry.lastMs + entry.delayMs - now;
    const fresh = !entry || now - entry.lastMs > 2 * MAX_MS;
    this.entries.set(key, {
      delayMs: fresh ? INITIAL_MS : Math.min(entry.delayMs * 2, MAX_MS),
      lastMs: now,
    });
    return 0;
  }

  forget(uid: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${uid}/`)) this.entries.delete(key);
  }
}
