/**
 * Zone disruption, as upstream's node lifecycle controller handles it: NoExecute taints (and so evictions) are
 * added at a limited rate per zone, more slowly (or not at all) when much of a zone is down, and not at all when
 * every node of the cluster is: then the likelier failure is the control plane's own connectivity, and evicting
 * everything would turn a network blip into a full restart of every workload.
 */
import type { Node } from 'kubernetes-types/core/v1.js';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface DisruptionOptions {
  /** Nodes tainted per second in a healthy zone (upstream --node-eviction-rate 0.1). */
  evictionRate: number;
  /** The same in a partially disrupted zone larger than largeClusterSize (upstream 0.01); smaller ones: 0. */
  secondaryEvictionRate: number;
  /** upstream --large-cluster-size-threshold 50. */
  largeClusterSize: number;
  /** Share of not-Ready nodes (more than 2) that makes a zone partially disrupted (upstream 0.55). */
  unhealthyZoneThreshold: number;
}

export const DISRUPTION_DEFAULTS: DisruptionOptions = {
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterSize: 50,
  unhealthyZoneThreshold: 0.55,
};

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const REGION_LABEL = 'topology.kubernetes.io/region';

/** Upstream GetZoneKey: region and zone labels together; '' for nodes without either. */
export function zoneOf(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const zone = labels[ZONE_LABEL] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels[REGION_LABEL] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  return zone === '' && region === '' ? '' : `${region}:\u0000:${zone}`;
}

/** Upstream ComputeZoneState from the Ready statuses of a zone's nodes. */
export function zoneState(readyStatuses: readonly string[], unhealthyThreshold: number): ZoneState {
  let notReady = 0;
  for (const s of readyStatuses) if (s !== 'True') notReady++;
  const ready = readyStatuses.length - notReady;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** Nodes per second that may be tainted NoExecute in a zone in `state` with `size` nodes. */
export function taintRate(state: ZoneState, size: number, opts: DisruptionOptions): number {
  if (state === 'PartialDisruption') return size > opts.largeClusterSize ? opts.secondaryEvictionRate : 0;
  return opts.evictionRate;
}

/** A token bucket of one token (upstream's burst), refilled at `rate` per second. */
export class TokenBucket {
  private tokens = 1;

  constructor(
    private rate: number,
    private lastMs: number,
  ) {}

  setRate(rate: number, nowMs: number): void {
    this.refill(nowMs);
    this.rate = rate;
  }

  /** Takes the token and returns 0, or returns how long until one is due (Infinity at rate 0). */
  take(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return this.rate > 0 ? Math.ceil(((1 - this.tokens) / this.rate) * 1000) : Infinity;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs)
      this.tokens = Math.min(1, this.tokens + ((nowMs - this.lastMs) / 1000) * this.rate);
    this.lastMs = Math.max(this.lastMs, nowMs);
  }
}

/** Every zone's state, recomputed from all nodes at each monitor pass. */
export class ZoneStates {
  private states = new Map<string, { state: ZoneState; size: number }>();
  private readonly buckets = new Map<string, TokenBucket>();
  /** Every node of every zone is not Ready: taint nothing (upstream's "master disruption mode"). */
  allFullyDisrupted = false;

  constructor(private readonly opts: DisruptionOptions) {}

  /** Returns whether master disruption mode was entered (true) or left (false) by this update, else undefined. */
  update(nodes: readonly Node[], readyOf: (node: Node) => string, nowMs: number): boolean | undefined {
    const byZone = new Map<string, string[]>();
    for (const node of nodes) {
      const zone = zoneOf(node);
      let list = byZone.get(zone);
      if (!list) byZone.set(zone, (list = []));
      list.push(readyOf(node));
    }
    const states = new Map<string, { state: ZoneState; size: number }>();
    for (const [zone, statuses] of byZone) {
      const state = zoneState(statuses, this.opts.unhealthyZoneThreshold);
      states.set(zone, { state, size: statuses.length });
      this.buckets.get(zone)?.setRate(taintRate(state, statuses.length, this.opts), nowMs);
    }
    for (const zone of this.buckets.keys()) if (!states.has(zone)) this.buckets.delete(zone);
    this.states = states;
    const all = states.size > 0 && [...states.values()].every((s) => s.state === 'FullDisruption');
    const changed = all !== this.allFullyDisrupted;
    this.allFullyDisrupted = all;
    return changed ? all : undefined;
  }

  stateOf(zone: string): ZoneState {
    return this.states.get(zone)?.state ?? 'Normal';
  }

  /** Takes the zone's permission to taint one more node: 0 when granted, else ms to wait (Infinity: not now). */
  takeTaintToken(zone: string, nowMs: number): number {
    let bucket = this.buckets.get(zone);
    if (!bucket) {
      const s = this.states.get(zone) ?? { state: 'Normal' as const, size: 1 };
      bucket = new TokenBucket(taintRate(s.state, s.size, this.opts), nowMs);
      this.buckets.set(zone, bucket);
    }
    return bucket.take(nowMs);
  }
}
