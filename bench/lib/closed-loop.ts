import { performance } from 'node:perf_hooks';
import { Samples, summarize, type LatencySummary } from './stats.js';

export interface PhaseLimits {
  /** Stop issuing new operations after this long. */
  durationMs: number;
  /** …or after this many, whichever comes first. */
  maxOps: number;
}

export interface PhaseResult {
  clients: number;
  ops: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  opsPerSecond: number;
  latency: LatencySummary;
}

/**
 * `clients` workers each run `op` back to back (a closed loop: a worker sends its next request when the previous
 * answer is in) until the limits are reached. Latency counts successful operations only.
 */
export async function runClosedLoop(
  clients: number,
  limits: PhaseLimits,
  op: (client: number, seq: number) => Promise<void>,
): Promise<PhaseResult> {
  const latencies = new Samples();
  let issued = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + limits.durationMs;
  const worker = async (client: number): Promise<void> => {
    let seq = 0;
    while (issued < limits.maxOps && performance.now() < end) {
      issued++;
      const t0 = performance.now();
      try {
        await op(client, seq++);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
  const elapsedMs = performance.now() - start;
  return {
    clients,
    ops: latencies.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    opsPerSecond: (latencies.length / elapsedMs) * 1000,
    latency: summarize(latencies.values()),
  };
}

/** Runs `fn` for each index in 0..count-1 with at most `concurrency` in flight. */
export async function forEachLimit(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
