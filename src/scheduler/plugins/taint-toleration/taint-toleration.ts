import { firstUntoleratedTaint, toleratesTaint } from '../../../api/taints.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { defaultNormalize } from '../../framework/normalize.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unresolvable, type FilterPlugin, type ScorePlugin, type Status } from '../../framework/types.js';

const HARD_EFFECTS = ['NoSchedule', 'NoExecute'];

/** NoSchedule/NoExecute taints must be tolerated (filter); fewer untolerated PreferNoSchedule taints score higher. */
export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = 'TaintToleration';

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    const taint = firstUntoleratedTaint(node.node?.spec?.taints, pod.pod.spec?.tolerations, HARD_EFFECTS);
    if (!taint) return null;
    const reason = `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
    return unresolvable(
      reason,
      `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`,
    );
  }

  score(_state: unknown, pod: PodInfo, node: NodeInfo): number {
    const taints = node.node?.spec?.taints;
    if (!taints) return 0;
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    let n = 0;
    for (const taint of taints) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      if (!tolerations.some((t) => toleratesTaint(t, taint))) n++;
    }
    return n;
  }

  normalize(_state: unknown, _pod: PodInfo, scores: Float64Array): void {
    defaultNormalize(scores, true);
  }
}
