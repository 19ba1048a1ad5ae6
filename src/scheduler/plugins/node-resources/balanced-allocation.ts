import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/types.js';

/** Favors nodes whose cpu and memory would be used in equal fractions: (1 - std deviation) × 100. */
export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';

  score(_state: unknown, pod: PodInfo, node: NodeInfo): number {
    const cpuCap = node.allocatableCpu;
    const memCap = node.allocatableMemory;
    if (cpuCap === 0 && memCap === 0) return 0;
    if (cpuCap === 0 || memCap === 0) return MAX_NODE_SCORE; // one resource: no deviation
    const cpu = Math.min((node.requestedCpu + pod.requestCpu) / cpuCap, 1);
    const mem = Math.min((node.requestedMemory + pod.requestMemory) / memCap, 1);
    // The standard deviation of two values is half their distance.
    const std = Math.abs(cpu - mem) / 2;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
