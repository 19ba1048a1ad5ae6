import { hasReason } from '../api/errors.js';
import type { ClientObject } from './object.js';
import { microTime, realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { R } from './resources.js';
import type { ApiClient } from './rest.js';

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}
type Lease = ClientObject & { spec?: LeaseSpec };

export interface LeaderElectionOptions {
  /** Lease name, e.g. `kube-controller-manager`. */
  name: string;
  namespace?: string;
  identity: string;
  /** How long a lease is honoured without renewal (default 10 s: a dead leader is replaced within ~12 s). */
  leaseDurationMs?: number;
  /** The leader gives up if it cannot renew for this long (default 8 s). */
  renewDeadlineMs?: number;
  /** How often candidates try and the leader renews (default 2 s). */
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/**
 * Leader election on a coordination.k8s.io Lease (client-go's leaderelection): candidates try to take the lease
 * when it is free or its holder has not renewed for leaseDuration, measured on our own clock from when we last
 * saw the record change (so clocks of different machines need not agree). Updates are compare-and-swap.
 */
export class LeaderElector {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: { rv: string; holder: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Lease | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.leaseDurationMs = opts.leaseDurationMs ?? 10_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 8_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so another candidate takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.setLeading(false);
    const lease = this.current;
    if (!lease?.metadata?.name) return;
    try {
      await this.leases().update({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          acquireTime: null,
          renewTime: null,
        },
      });
    } catch (err) {
      this.logger.debug('lease release failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private leases() {
    return this.client.resource<Lease>(R.leases);
  }

  private async tick(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.logger.debug('lease attempt failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (!this.running) return;
    if (ok) {
      this.lastRenew = this.clock.now();
      if (!this.leading) this.setLeading(true);
    } else if (this.leading && this.clock.now() - this.lastRenew > this.renewDeadlineMs) {
      this.logger.warn('leader lease lost', { lease: this.opts.name });
      this.setLeading(false);
    }
    this.timer = setTimeout(() => void this.tick(), this.retryPeriodMs);
    this.timer.unref();
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading) {
      this.logger.info('became leader', { lease: this.opts.name, identity: this.opts.identity });
      this.opts.onStartedLeading();
    } else {
      this.opts.onStoppedLeading();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const namespace = this.opts.namespace ?? 'kube-system';
    const now = this.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await this.leases().get(namespace, this.opts.name);
    } catch (err) {
      if (!hasReason(err, 'NotFound')) throw err;
      this.current = await this.leases().create({
        metadata: { name: this.opts.name, namespace },
        spec: mine,
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const rv = lease.metadata?.resourceVersion ?? '';
    if (!this.observed || this.observed.rv !== rv) this.observed = { rv, holder, at: now };
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== this.opts.identity && this.observed.at + durationMs > now) return false;
    const next: LeaseSpec =
      holder === this.opts.identity
        ? { ...spec, renewTime: microTime(now), leaseDurationSeconds: mine.leaseDurationSeconds }
        : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      this.current = await this.leases().update({ ...lease, spec: next });
      return true;
    } catch (err) {
      if (hasReason(err, 'Conflict')) return false;
      throw err;
    }
  }
}
