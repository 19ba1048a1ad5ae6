import { isTaintTolerated } from '../../../api/taints.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unresolvable, type FilterPlugin, type Status } from '../../framework/types.js';

export const NODE_UNSCHEDULABLE_REASON = 'node(s) were unschedulable';

/** Cordoned nodes (spec.unschedulable) take only pods tolerating node.kubernetes.io/unschedulable:NoSchedule. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.unschedulable) return null;
    const tolerated = isTaintTolerated(pod.pod.spec?.tolerations, {
      key: 'node.kubernetes.io/unschedulable',
      effect: 'NoSchedule',
    });
    return tolerated
      ? null
      : unresolvable(NODE_UNSCHEDULABLE_REASON, 'node is cordoned (spec.unschedulable)');
  }
}
