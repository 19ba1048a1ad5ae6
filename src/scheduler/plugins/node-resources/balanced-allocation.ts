import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/types.js';

const RESOURCES = ['cpu', 'memory'];

/** Favors nodes whose cpu and memory would be used in equal fractions: (1 - std deviation) × 100. */
export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';

  score(_state: unknown, pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    let n = 0;
    const fractions: number[] = [];
    for (const r of RESOURCES) {
      const capacity = node.allocatable.get(r) ?? 0;
      if (capacity === 0) continue;
      const requested = (node.requested.get(r) ?? 0) + pod.request(r);
      const f = Math.min(requested / capacity, 1);
      fractions.push(f);
      sum += f;
      n++;
    }
    if (n === 0) return 0;
    const mean = sum / n;
    let variance = 0;
    for (const f of fractions) variance += (f - mean) * (f - mean);
    const std = Math.sqrt(variance / n);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
