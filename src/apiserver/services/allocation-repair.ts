import { realClock, type Clock } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import type { AddressPool } from './address-pool.js';
import type { AllocationEntry } from './allocation-store.js';
import { parseIpv4 } from './cidr.js';
import { clusterIpOf, heldNodePortsOf, type ServiceAllocator, type ServiceSpec } from './allocators.js';

/** A stored Service: `namespace/name` and its spec. */
export interface StoredService {
  service: string;
  spec?: ServiceSpec;
}

export interface AllocationRepairOptions {
  /** Between passes after the first (at start). Default 3 minutes (upstream's repair interval). */
  intervalMs?: number;
  /**
   * A key no Service holds is freed only once it is this old: an allocation whose Service create is still on
   * its way (on this server or another) is not a leak. Default 1 minute. Servers' clocks must agree within it.
   */
  graceMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface RepairResult {
  /** Keys written for Services that held an address without one (e.g. a cluster from before the keys). */
  restored: number;
  /** Keys deleted because no Service held them. */
  freed: number;
}

const DEFAULT_INTERVAL_MS = 3 * 60_000;
const DEFAULT_GRACE_MS = 60_000;

/**
 * Keeps the allocation keys and the stored Services in step, as upstream's repair controllers: every Service's
 * addresses have keys (which also migrates a cluster whose Services predate them), keys no Service holds go
 * once they are past the grace period (a failed release, a server that stopped between allocating and
 * writing), and the in-memory caches are read again from the store.
 */
export class ServiceAllocationRepair {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RepairResult>;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(
    private readonly allocator: ServiceAllocator,
    private readonly listServices: () => Promise<StoredService[]>,
    private readonly opts: AllocationRepairOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
  }

  /** The first pass (before the server takes requests: a failure fails the start), then one every interval. */
  async start(): Promise<void> {
    await this.repair();
    this.timer = setInterval(() => {
      this.repair().catch((err) => this.logger.warn('service address repair failed', { error: String(err) }));
    }, this.opts.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; overlapping calls share it. */
  repair(): Promise<RepairResult> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<RepairResult> {
    const pools: PoolHolding[] = [
      { pool: this.allocator.ips.pool, what: 'cluster IP', of: clusterIpNumbers },
      { pool: this.allocator.nodePorts.pool, what: 'node port', of: heldNodePortsOf },
    ];
    // Keys first: a key written after this read whose Service shows up in the list below is simply held.
    const entries = await Promise.all(pools.map((p) => p.pool.entries()));
    const services = await this.listServices();
    const result: RepairResult = { restored: 0, freed: 0 };
    for (const [i, holding] of pools.entries()) {
      const held = this.heldBy(services, holding);
      result.restored += await restoreMissing(holding.pool, entries[i]!, held);
      result.freed += await this.freeLeaked(holding.pool, entries[i]!, held);
    }
    await Promise.all(pools.map((p) => p.pool.reload()));
    if (result.restored > 0 || result.freed > 0)
      this.logger.info('service addresses repaired', { ...result });
    return result;
  }

  /** Number → the Service holding it. */
  private heldBy(services: StoredService[], holding: PoolHolding): Map<number, string> {
    const held = new Map<number, string>();
    for (const { service, spec } of services) {
      for (const n of holding.of(spec)) {
        const other = held.get(n);
        if (other === undefined) held.set(n, service);
        else {
          this.logger.warn(`${holding.what} ${holding.pool.codec.format(n)} is held by two Services`, {
            services: [other, service],
          });
        }
      }
    }
    return held;
  }

  private async freeLeaked(
    pool: AddressPool,
    entries: AllocationEntry[],
    held: Map<number, string>,
  ): Promise<number> {
    const now = this.clock.now();
    const grace = this.opts.graceMs ?? DEFAULT_GRACE_MS;
    let freed = 0;
    for (const entry of entries) {
      const n = pool.codec.parse(entry.name);
      if (n !== undefined && held.has(n)) continue;
      // An unreadable record has no age: it counts as old.
      const at = entry.record ? Date.parse(entry.record.at) : NaN;
      if (!Number.isNaN(at) && now - at < grace) continue;
      if (await pool.releaseEntry(entry)) freed++;
    }
    return freed;
  }
}

interface PoolHolding {
  pool: AddressPool;
  what: string;
  /** The numbers of the pool a Service's spec holds. */
  of: (spec: ServiceSpec | undefined) => number[];
}

function clusterIpNumbers(spec: ServiceSpec | undefined): number[] {
  const ip = clusterIpOf(spec);
  const n = ip === undefined ? undefined : parseIpv4(ip);
  return n === undefined ? [] : [n];
}

/** Writes keys for held numbers that have none (out-of-range ones are left alone, as upstream's repair). */
async function restoreMissing(
  pool: AddressPool,
  entries: AllocationEntry[],
  held: Map<number, string>,
): Promise<number> {
  const present = new Set(entries.map((e) => pool.codec.parse(e.name)));
  let restored = 0;
  for (const [n, service] of held) {
    if (present.has(n) || !pool.contains(n)) continue;
    if (await pool.claim(n, service)) restored++;
  }
  return restored;
}
