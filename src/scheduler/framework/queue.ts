import type { Clock } from '../../util/clock.js';
import { KeyedHeap } from './heap.js';
import type { PodInfo } from './pod-info.js';

export interface QueuedPod {
  info: PodInfo;
  /** When the pod (re-)entered the queue; orders pods of equal priority. */
  timestamp: number;
  seq: number;
  /** Scheduling attempts so far; drives the backoff. */
  attempts: number;
  /** When the last attempt failed (backoff counts from here); also how long it has been parked. */
  failedAt: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A parked pod is retried after this long even without a cluster event (upstream: 5 minutes). */
  maxUnschedulableMs?: number;
}

/**
 * The scheduling queue (upstream internal/queue.PriorityQueue): activeQ (a heap ordered by priority, then
 * arrival), backoffQ (pods waiting out 1 s doubling to 10 s), and the unschedulable pods, parked until a
 * cluster event may have made room for them (moveAll) or until they have waited maxUnschedulableMs.
 */
export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>(
    (p) => p.info.key,
    (a, b) =>
      a.info.priority !== b.info.priority
        ? a.info.priority > b.info.priority
        : a.timestamp !== b.timestamp
          ? a.timestamp < b.timestamp
          : a.seq < b.seq,
  );
  private readonly backoff = new KeyedHeap<QueuedPod>(
    (p) => p.info.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulablePods = new Map<string, QueuedPod>();
  /** Pods popped and not yet handed back (being scheduled or bound). */
  private readonly inFlight = new Map<string, QueuedPod>();
  private seq = 0;
  private schedulingCycle = 0;
  /** The cycle in which the last move request came; pods failing in an earlier cycle skip parking. */
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;

  constructor(
    private readonly clock: Clock,
    opts: QueueOptions = {},
  ) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /** A new pending pod: straight to activeQ. */
  add(info: PodInfo): void {
    const key = info.key;
    this.backoff.delete(key);
    this.unschedulablePods.delete(key);
    const existing = this.active.get(key);
    if (existing) {
      existing.info = info;
      this.active.push(existing);
      return;
    }
    this.pushActive({ info, timestamp: this.clock.now(), seq: this.seq++, attempts: 0, failedAt: 0 });
  }

  /**
   * The pod changed. Queued copies get the new object; a parked pod whose scheduling-relevant fields changed
   * (`relevant`) is tried again (after its backoff).
   */
  update(info: PodInfo, relevant: boolean): void {
    const key = info.key;
    const inActive = this.active.get(key);
    if (inActive) {
      inActive.info = info;
      this.active.push(inActive);
      return;
    }
    const inBackoff = this.backoff.get(key);
    if (inBackoff) {
      inBackoff.info = info;
      if (relevant) {
        this.backoff.delete(key);
        this.pushActive(inBackoff);
      }
      return;
    }
    const parked = this.unschedulablePods.get(key);
    if (parked) {
      parked.info = info;
      if (relevant) {
        this.unschedulablePods.delete(key);
        this.moveOne(parked);
      }
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.info = info;
      return;
    }
    this.add(info);
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulablePods.delete(key);
    this.inFlight.delete(key);
  }

  has(key: string): boolean {
    return (
      this.active.has(key) ||
      this.backoff.has(key) ||
      this.unschedulablePods.has(key) ||
      this.inFlight.has(key)
    );
  }

  /** The next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPod | undefined {
    const p = this.active.pop();
    if (!p) return undefined;
    p.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(p.info.key, p);
    return p;
  }

  /** The cycle number of the pod last popped; pass it back to addUnschedulable. */
  get cycle(): number {
    return this.schedulingCycle;
  }

  /** Resolves when activeQ has a pod (or the queue closed). */
  wait(): Promise<void> {
    if (this.active.size > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The attempt is over and the pod is bound (or gone): forget it. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The pod did not fit. Parked until a cluster event, unless one came while it was being scheduled
   * (then it only waits out its backoff, as upstream's moveRequestCycle).
   */
  addUnschedulable(p: QueuedPod, podCycle: number): void {
    const key = p.info.key;
    if (this.inFlight.get(key) !== p) return; // deleted or re-added meanwhile
    this.inFlight.delete(key);
    p.failedAt = this.clock.now();
    p.timestamp = p.failedAt;
    if (this.moveRequestCycle >= podCycle) this.backoff.push(p);
    else this.unschedulablePods.set(key, p);
  }

  /** An error (e.g. the bind failed): retry after the backoff. */
  requeueWithBackoff(p: QueuedPod): void {
    const key = p.info.key;
    if (this.inFlight.get(key) !== p) return;
    this.inFlight.delete(key);
    p.failedAt = this.clock.now();
    p.timestamp = p.failedAt;
    this.backoff.push(p);
  }

  /** Something changed that may let parked pods fit: retry them all (each after its backoff). */
  moveAllToActiveOrBackoff(filter?: (p: QueuedPod) => boolean): void {
    for (const [key, p] of this.unschedulablePods) {
      if (filter && !filter(p)) continue;
      this.unschedulablePods.delete(key);
      this.moveOne(p);
    }
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Move backoffQ pods whose backoff is over to activeQ; run every second. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const top = this.backoff.peek();
      if (!top || this.backoffExpiry(top) > now) return;
      this.backoff.pop();
      this.pushActive(top);
    }
  }

  /** Retry pods parked longer than maxUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    this.moveAllToActiveOrBackoff((p) => now - p.failedAt >= this.maxUnschedulableMs);
  }

  backoffDurationMs(p: QueuedPod): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < p.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(p: QueuedPod): number {
    return p.failedAt + this.backoffDurationMs(p);
  }

  private moveOne(p: QueuedPod): void {
    if (p.attempts > 0 && this.backoffExpiry(p) > this.clock.now()) this.backoff.push(p);
    else this.pushActive(p);
  }

  private pushActive(p: QueuedPod): void {
    this.active.push(p);
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Sizes, for tests and debugging. */
  stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulablePods.size,
      inFlight: this.inFlight.size,
    };
  }

  /** Pending pods (queued anywhere, not in flight). */
  pendingPods(): PodInfo[] {
    return [
      ...this.active.values().map((p) => p.info),
      ...this.backoff.values().map((p) => p.info),
      ...[...this.unschedulablePods.values()].map((p) => p.info),
    ];
  }
}
