import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unresolvable, type FilterPlugin, type Status } from '../../framework/types.js';

export const NODE_NAME_REASON = "node(s) didn't match the requested node name";

/** A pod naming a node in spec.nodeName fits only there. */
export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return null;
    return unresolvable(NODE_NAME_REASON, `pod asks for node ${want}`);
  }
}
