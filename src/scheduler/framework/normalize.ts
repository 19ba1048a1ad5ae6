import { MAX_NODE_SCORE } from './types.js';

/**
 * Upstream helper.DefaultNormalizeScore: scale so the best node gets 100; `reverse` makes the lowest raw
 * score best. All-zero scores give 0 (or 100 when reversed).
 */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
