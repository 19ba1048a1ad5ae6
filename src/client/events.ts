import type { ClientObject } from './object.js';
import { realClock, rfc3339, type Clock } from '../util/clock.js';
import { EventCorrelator, LruMap } from './event-correlator.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { R } from './resources.js';
import type { ApiClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

const CACHE_LIMIT = 4096;

/**
 * Writes core/v1 Events about objects, as client-go's recorder does: fire and forget, and a repeat of the same
 * event (object, type, reason, message) bumps `count` and `lastTimestamp` on the existing Event instead of
 * creating another, so `kubectl describe` shows "(x4 over 2m)". Similar events are combined and floods about
 * one object are cut off (EventCorrelator).
 */
export class EventRecorder {
  private readonly seen = new LruMap<string, Seen>(CACHE_LIMIT);
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly correlator: EventCorrelator;

  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    opts: { clock?: Clock; logger?: Logger; host?: string } = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.host = opts.host;
    this.correlator = new EventCorrelator(this.clock);
  }

  private readonly host: string | undefined;

  event(obj: ClientObject, type: EventType, reason: string, message: string): void {
    void this.record(obj, type, reason, message).catch((err: unknown) =>
      this.logger.debug('event not recorded', {
        reason,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  private async record(obj: ClientObject, type: EventType, reason: string, original: string): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const now = rfc3339(this.clock.now());
    const correlation = this.correlator.correlate({
      component: this.component,
      host: this.host ?? '',
      kind: obj.kind ?? '',
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      uid: meta.uid ?? '',
      apiVersion: obj.apiVersion ?? '',
      type,
      reason,
      message: original,
    });
    if (correlation.skip) return;
    const { key: id, message } = correlation;
    const events = this.client.resource(R.events);
    const prior = this.seen.get(id);
    if (prior) {
      prior.count++;
      try {
        await events.patchWithoutResult(prior.namespace, prior.name, 'merge', {
          count: prior.count,
          lastTimestamp: now,
        });
        return;
      } catch {
        // Gone (deleted or expired): write a fresh one below.
      }
    }
    const name = `${meta.name ?? 'unknown'}.${(BigInt(this.clock.now()) * 1_000_000n + BigInt(this.seen.size)).toString(16)}`;
    const event = {
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: prior?.firstTimestamp ?? now,
      lastTimestamp: now,
      count: prior?.count ?? 1,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    this.seen.set(id, { name, namespace, count: event.count, firstTimestamp: event.firstTimestamp });
    await events.createWithoutResult(event);
  }
}
