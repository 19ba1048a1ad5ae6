/** Creations per sync are capped (upstream burstReplicas). */
export const BURST_REPLICAS = 500;

/**
 * Runs `fn` `count` times in batches of 1, 2, 4, … (upstream slowStartBatch): a batch runs in parallel and any
 * failure stops the remaining batches, so a quota or webhook error costs one call instead of hundreds.
 * Returns the number of successes and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
