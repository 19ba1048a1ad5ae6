/**
 * Hard eviction thresholds as upstream's `--eviction-hard` spells them (`memory.available<100Mi,nodefs.available<10%`):
 * per signal a quantity or a percentage of the resource's capacity. The signals this agent reads: memory,
 * the node filesystem's space and inodes (images live on it too) and process IDs.
 */
import { parseQuantity, quantityValue } from '../../api/quantity.js';
import { goDurationMs } from '../../util/go-duration.js';

export const EVICTION_SIGNALS = [
  'memory.available',
  'nodefs.available',
  'nodefs.inodesFree',
  'pid.available',
] as const;
export type EvictionSignal = (typeof EVICTION_SIGNALS)[number];

/** A quantity (bytes, inodes, process IDs) or a fraction (0–1) of capacity. */
export type ThresholdValue = { quantity: number } | { fraction: number };

/** A signal without a threshold never counts as pressure. */
export type Thresholds = Partial<Record<EvictionSignal, ThresholdValue>>;

/** Upstream's defaults (pid.available has none upstream; ours 10%). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  'memory.available': { quantity: 100 * 1024 * 1024 },
  'nodefs.available': { fraction: 0.1 },
  'nodefs.inodesFree': { fraction: 0.05 },
  'pid.available': { fraction: 0.1 },
};

/** What a threshold amounts to for a resource of `capacity` (0 when the signal has no threshold). */
export function thresholdAmount(value: ThresholdValue | undefined, capacity: number): number {
  if (!value) return 0;
  return 'quantity' in value ? value.quantity : capacity * value.fraction;
}

/**
 * Parses `--eviction-hard`. As upstream (before the merge of default eviction settings), the signals it names
 * replace the defaults and the others get no threshold. Throws with the reason, in upstream's words.
 */
export function parseEvictionHard(text: string): Thresholds {
  const out: Thresholds = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const at = item.indexOf('<');
    if (at < 0)
      throw new Error(`invalid eviction threshold syntax ${item}, expect <signal><operator><value>`);
    const signal = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (!(EVICTION_SIGNALS as readonly string[]).includes(signal)) {
      throw new Error(`unsupported eviction signal ${signal} (supported: ${EVICTION_SIGNALS.join(', ')})`);
    }
    if (out[signal as EvictionSignal])
      throw new Error(`found duplicate eviction threshold for signal ${signal}`);
    out[signal as EvictionSignal] = parseThresholdValue(signal, value);
  }
  return out;
}

/**
 * Soft thresholds (`--eviction-soft`, same syntax as `--eviction-hard`): met, they raise the node's pressure
 * condition at once, but evict only once met for their grace period, and give the pod
 * `--eviction-max-pod-grace-period` to stop.
 */
export interface SoftThresholds {
  thresholds: Thresholds;
  /** Per signal of `thresholds`, how long it must be met before pods are evicted for it. */
  gracePeriodsMs: Partial<Record<EvictionSignal, number>>;
}

/**
 * Parses `--eviction-soft` and `--eviction-soft-grace-period` (`memory.available=1m30s,…`): every soft
 * threshold needs a grace period (periods of other signals are ignored, as upstream). Upstream's messages.
 */
export function parseEvictionSoft(soft: string, gracePeriods: string): SoftThresholds {
  const thresholds = parseEvictionHard(soft);
  const periods = parseGracePeriods(gracePeriods);
  const gracePeriodsMs: Partial<Record<EvictionSignal, number>> = {};
  for (const signal of Object.keys(thresholds) as EvictionSignal[]) {
    const period = periods[signal];
    if (period === undefined)
      throw new Error(`grace period must be specified for the soft eviction threshold ${signal}`);
    gracePeriodsMs[signal] = period;
  }
  return { thresholds, gracePeriodsMs };
}

function parseGracePeriods(text: string): Partial<Record<EvictionSignal, number>> {
  const out: Partial<Record<EvictionSignal, number>> = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const parts = item.split('=');
    if (parts.length !== 2)
      throw new Error(`invalid eviction grace period syntax ${item}, expected <signal>=<duration>`);
    const [signal = '', value = ''] = parts;
    if (!(EVICTION_SIGNALS as readonly string[]).includes(signal)) {
      throw new Error(`unsupported eviction signal ${signal} (supported: ${EVICTION_SIGNALS.join(', ')})`);
    }
    const ms = goDurationMs(value);
    if (ms === undefined) throw new Error(`time: invalid duration ${JSON.stringify(value)}`);
    if (ms < 0)
      throw new Error(`invalid eviction grace period specified: ${value}, must be a positive value`);
    if (out[signal as EvictionSignal] !== undefined)
      throw new Error(`duplicate eviction grace period specified for ${signal}`);
    out[signal as EvictionSignal] = ms;
  }
  return out;
}

function parseThresholdValue(signal: string, value: string): ThresholdValue {
  if (value.endsWith('%')) {
    const percent = Number(value.slice(0, -1));
    if (value === '%' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new Error(`eviction percentage threshold ${signal} must be >= 0% and <= 100%: ${value}`);
    }
    return { fraction: percent / 100 };
  }
  let quantity: bigint;
  try {
    quantity = quantityValue(parseQuantity(value));
  } catch {
    throw new Error(`invalid eviction threshold value ${JSON.stringify(value)} for ${signal}`);
  }
  if (quantity < 0n) throw new Error(`eviction threshold ${signal} must be positive: ${value}`);
  return { quantity: Number(quantity) };
}
