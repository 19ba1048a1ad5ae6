import { normalizeImageName, type NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import {
  MAX_NODE_SCORE,
  SKIP,
  type CycleState,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/types.js';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'PreScoreImageLocality';

interface PreScore {
  images: string[];
  spread: number[];
}

/**
 * Nodes that already hold the pod's images score higher, by image size scaled by how many nodes have the image
 * (so a ubiquitous image does not pull every pod to one node), between 23 MB and 1000 MB per container.
 */
export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = 'ImageLocality';

  preScore(
    state: CycleState,
    pod: PodInfo,
    _nodes: readonly NodeInfo[],
    cluster: ClusterView,
  ): Status | null {
    const total = cluster.nodes().length;
    const images: string[] = [];
    const spread: number[] = [];
    for (const c of [...(pod.pod.spec?.initContainers ?? []), ...(pod.pod.spec?.containers ?? [])]) {
      if (!c.image) continue;
      const image = normalizeImageName(c.image);
      images.push(image);
      spread.push(total === 0 ? 0 : cluster.imageNodeCount(image) / total);
    }
    // No node holds any of the pod's images (a new image, or nodes that report none): every node would score
    // 0, so the Score pass over the feasible nodes is skipped.
    if (spread.every((s) => s === 0)) return SKIP;
    state.write(STATE_KEY, { images, spread } satisfies PreScore);
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const pre = state.read<PreScore>(STATE_KEY);
    if (!pre || node.images.size === 0) return 0;
    let sum = 0;
    for (let i = 0; i < pre.images.length; i++) {
      const size = node.images.get(pre.images[i]!);
      if (size !== undefined) sum += size * pre.spread[i]!;
    }
    const containers = (pod.pod.spec?.containers?.length ?? 0) + (pod.pod.spec?.initContainers?.length ?? 0);
    const max = MAX_CONTAINER_THRESHOLD * Math.max(containers, 1);
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  }
}
