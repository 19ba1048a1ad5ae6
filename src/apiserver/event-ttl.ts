import { hasReason } from '../api/errors.js';
import type { StoredObject } from '../api/meta.js';
import type { Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { ApiContext } from './rest/context.js';
import { resourcePrefix } from './storage/keys.js';
import type { Subscription } from './watch/watch-cache.js';

/** kube-apiserver's --event-ttl default. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;

interface Expiry {
  atMs: number;
  namespace: string;
  name: string;
  /** The write the expiry counts from: a newer write of the same event wins over this deletion. */
  revision: number;
}

/**
 * Events (core/v1 and events.k8s.io/v1 share their storage) go away a fixed time after their last write, as
 * upstream's etcd lease on each event makes them do: a cluster's event history stays bounded however long it
 * runs. Every write is seen on the watch cache, so no event is decoded for this; events that existed at
 * start-up count from their newest timestamp.
 */
export class EventTtl {
  private readonly expiries = new Map<string, Expiry>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private firstSweep?: NodeJS.Timeout;
  private sweeping = false;
  private readonly logger: Logger;
  private readonly clock: Clock;

  constructor(
    private readonly ctx: ApiContext,
    private readonly opts: { ttlMs: number; sweepMs?: number; logger?: Logger },
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = ctx.clock;
  }

  async start(): Promise<void> {
    const def = this.ctx.registry.mustGet('', 'events');
    const page = await this.ctx.storage.list(def);
    for (const ev of page.items) {
      const { namespace, name, resourceVersion } = ev.metadata;
      this.expiries.set(`${namespace ?? ''}/${name}`, {
        atMs: lastWriteMs(ev) + this.opts.ttlMs,
        namespace: namespace ?? '',
        name,
        revision: Number(resourceVersion),
      });
    }
    this.subscription = this.ctx.watchCache.subscribe({
      prefix: resourcePrefix(def),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        const namespace = ev.parsed.namespace ?? '';
        const key = `${namespace}/${ev.parsed.name}`;
        if (ev.type === 'DELETED') this.expiries.delete(key);
        else {
          this.expiries.set(key, {
            atMs: this.clock.now() + this.opts.ttlMs,
            namespace,
            name: ev.parsed.name,
            revision: ev.revision,
          });
        }
      },
      onClose: () => {},
    });
    // Expired events go within a quarter of the TTL (at most 10 s late).
    const sweepMs = this.opts.sweepMs ?? Math.min(10_000, Math.max(100, this.opts.ttlMs / 4));
    this.timer = setInterval(() => void this.sweep(), sweepMs);
    this.timer.unref();
    // Events that expired while the server was down go soon after it starts.
    this.firstSweep = setTimeout(() => void this.sweep(), Math.min(sweepMs, 1000));
    this.firstSweep.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.firstSweep);
    this.subscription?.close();
  }

  /** Deletes every event past its time (only if it was not written again since). */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const def = this.ctx.registry.mustGet('', 'events');
      const now = this.clock.now();
      for (const [key, e] of [...this.expiries]) {
        if (e.atMs > now || this.ctx.closing) continue;
        try {
          await this.ctx.storage.delete(def, e.namespace, e.name, e.revision);
          if (this.expiries.get(key) === e) this.expiries.delete(key);
        } catch (err) {
          if (hasReason(err, 'NotFound')) {
            if (this.expiries.get(key) === e) this.expiries.delete(key);
          } else if (!hasReason(err, 'Conflict')) {
            this.logger.warn('expiring an event failed', { event: key, error: String(err) });
          }
        }
      }
    } finally {
      this.sweeping = false;
    }
  }
}

/** The newest time an event records: series, last and first timestamps, its fields' managers, its creation. */
function lastWriteMs(ev: StoredObject): number {
  const o = ev as StoredObject & {
    lastTimestamp?: string | null;
    eventTime?: string | null;
    series?: { lastObservedTime?: string };
  };
  const times = [
    o.metadata.creationTimestamp,
    o.lastTimestamp,
    o.eventTime,
    o.series?.lastObservedTime,
    ...(o.metadata.managedFields ?? []).map((m) => m.time),
  ];
  let latest = 0;
  for (const t of times) {
    const ms = t ? Date.parse(t) : NaN;
    if (ms > latest) latest = ms;
  }
  return latest;
}
