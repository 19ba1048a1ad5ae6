import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { MAX_NODE_SCORE, type FilterPlugin, type ScorePlugin, type Status } from '../../framework/types.js';
import { formatAmount } from './amounts.js';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated';

export interface ResourceWeight {
  name: string;
  weight: number;
}

export interface NodeResourcesFitArgs {
  scoringStrategy?: { type?: ScoringStrategyType; resources?: ResourceWeight[] };
  ignoredResources?: string[];
}

const DEFAULT_RESOURCES: ResourceWeight[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/**
 * Requests must fit in allocatable minus what the node's pods already request, for every resource the pod
 * asks for (cpu, memory, ephemeral-storage, extended resources), and the node's pod count must allow one more.
 * Scoring: LeastAllocated (spread) or MostAllocated (bin-pack) over non-zero cpu/memory requests.
 */
export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  private readonly strategy: ScoringStrategyType;
  private readonly resources: ResourceWeight[];
  private readonly ignored: Set<string>;

  constructor(args: NodeResourcesFitArgs = {}) {
    this.strategy = args.scoringStrategy?.type ?? 'LeastAllocated';
    this.resources = args.scoringStrategy?.resources?.length
      ? args.scoringStrategy.resources
      : DEFAULT_RESOURCES;
    this.ignored = new Set(args.ignoredResources ?? []);
  }

  get scoringStrategy(): ScoringStrategyType {
    return this.strategy;
  }

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    let reasons: string[] | undefined;
    let details: string[] | undefined;
    if (node.pods.length + 1 > node.allowedPods) {
      (reasons ??= []).push('Too many pods');
      (details ??= []).push(`Too many pods (${node.pods.length} of ${node.allowedPods} allowed)`);
    }
    for (let i = 0; i < pod.resourceNames.length; i++) {
      const name = pod.resourceNames[i]!;
      if (this.ignored.has(name)) continue;
      const want = pod.resourceValues[i]!;
      const free =
        name === 'cpu'
          ? node.allocatableCpu - node.requestedCpu
          : name === 'memory'
            ? node.allocatableMemory - node.requestedMemory
            : (node.allocatable.get(name) ?? 0) - (node.requested.get(name) ?? 0);
      if (want <= free) continue;
      (reasons ??= []).push(`Insufficient ${name}`);
      (details ??= []).push(
        `Insufficient ${name} (requested ${formatAmount(name, want)}, free ${formatAmount(name, Math.max(free, 0))})`,
      );
    }
    if (!reasons) return null;
    return { code: 'Unschedulable', reasons, detail: details!.join(', ') };
  }

  score(_state: unknown, pod: PodInfo, node: NodeInfo): number {
    let total = 0;
    let weights = 0;
    for (const r of this.resources) {
      const capacity =
        r.name === 'cpu'
          ? node.allocatableCpu
          : r.name === 'memory'
            ? node.allocatableMemory
            : (node.allocatable.get(r.name) ?? 0);
      const requested = requestedWith(node, pod, r.name);
      total += resourceScore(this.strategy, requested, capacity) * r.weight;
      weights += r.weight;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  }
}

/** What the node would request with the pod on it, counting cpu/memory-less pods at the non-zero defaults. */
function requestedWith(node: NodeInfo, pod: PodInfo, resource: string): number {
  if (resource === 'cpu') return node.nonZeroCpu + pod.nonZeroCpu;
  if (resource === 'memory') return node.nonZeroMemory + pod.nonZeroMemory;
  return (node.requested.get(resource) ?? 0) + pod.request(resource);
}

function resourceScore(strategy: ScoringStrategyType, requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (strategy === 'MostAllocated') {
    if (requested > capacity) return MAX_NODE_SCORE;
    return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
  }
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
