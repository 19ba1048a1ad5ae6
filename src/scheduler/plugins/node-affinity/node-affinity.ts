import { nodeMatchesTerm, podMatchesNodeSelectorAndAffinity } from '../../../api/node-affinity.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { defaultNormalize } from '../../framework/normalize.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unresolvable, type FilterPlugin, type ScorePlugin, type Status } from '../../framework/types.js';

export const NODE_AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

/** spec.nodeSelector and required node affinity (filter); preferred terms' weights (score). */
export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeAffinity';

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.node) return unresolvable(NODE_AFFINITY_REASON);
    if (podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return null;
    return unresolvable(NODE_AFFINITY_REASON, describeMismatch(pod, node));
  }

  score(_state: unknown, pod: PodInfo, node: NodeInfo): number {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!preferred || !node.node) return 0;
    let total = 0;
    for (const p of preferred)
      if (p.weight !== 0 && nodeMatchesTerm(node.node, p.preference)) total += p.weight;
    return total;
  }

  normalize(_state: unknown, _pod: PodInfo, scores: Float64Array): void {
    defaultNormalize(scores, false);
  }
}

function describeMismatch(pod: PodInfo, node: NodeInfo): string {
  const labels = node.labels();
  for (const [k, v] of Object.entries(pod.pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) {
      return `${NODE_AFFINITY_REASON} (nodeSelector ${k}=${v}, node has ${k in labels ? `${k}=${labels[k]}` : `no ${k}`})`;
    }
  }
  return `${NODE_AFFINITY_REASON} (required node affinity)`;
}
