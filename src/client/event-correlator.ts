import type { Clock } from '../util/clock.js';

/** The identifying parts of an event, as client-go's correlator keys them. */
export interface EventFacts {
  component: string;
  host: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
  type: string;
  reason: string;
  message: string;
}

export type Correlation =
  /** Drop the event: the source has used up its budget for this object. */
  | { skip: true }
  /** Record under `key`; `message` is the original or the "(combined from similar events)" one. */
  | { skip: false; key: string; message: string };

const CACHE_LIMIT = 4096;
/** The same reason about one object with this many different messages in the interval turns into one event. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
/** Per source and object: a burst of 25 events, then one every 5 minutes. */
const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;

/**
 * client-go's EventCorrelator: similar events (same source, object, type and reason, different messages) are
 * combined into one after ten in ten minutes, and a source may burst 25 events about one object, then one per
 * five minutes. This keeps a controller that creates 1,000 pods from writing 1,000 events about its ReplicaSet.
 */
export class EventCorrelator {
  private readonly aggregates = new LruMap<string, { messages: Set<string>; lastMs: number }>(CACHE_LIMIT);
  private readonly buckets = new LruMap<string, { tokens: number; lastMs: number }>(CACHE_LIMIT);

  constructor(private readonly clock: Clock) {}

  correlate(e: EventFacts): Correlation {
    const now = this.clock.now();
    const objectKey = [e.component, e.host, e.kind, e.namespace, e.name, e.uid, e.apiVersion].join('\u0000');
    const aggregateKey = `${objectKey}\u0000${e.type}\u0000${e.reason}`;
    let record = this.aggregates.get(aggregateKey);
    if (!record || now - record.lastMs > AGGREGATE_INTERVAL_MS) record = { messages: new Set(), lastMs: now };
    record.messages.add(e.message);
    record.lastMs = now;
    this.aggregates.set(aggregateKey, record);

    let correlation: Correlation;
    if (record.messages.size < AGGREGATE_MAX_EVENTS) {
      correlation = { skip: false, key: `${aggregateKey}\u0000${e.message}`, message: e.message };
    } else {
      // Keep the set at its cap, as upstream does, so it keeps aggregating.
      record.messages.delete(record.messages.values().next().value!);
      correlation = {
        skip: false,
        key: aggregateKey,
        message: `(combined from similar events): ${e.message}`,
      };
    }
    return this.allow(objectKey, now) ? correlation : { skip: true };
  }

  private allow(objectKey: string, now: number): boolean {
    const bucket = this.buckets.get(objectKey) ?? { tokens: SPAM_BURST, lastMs: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + ((now - bucket.lastMs) / 1000) * SPAM_QPS);
    bucket.lastMs = now;
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    this.buckets.set(objectKey, bucket);
    return ok;
  }
}

/** A Map that forgets its least recently used entry beyond limit. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
  get size(): number {
    return this.map.size;
  }
}
