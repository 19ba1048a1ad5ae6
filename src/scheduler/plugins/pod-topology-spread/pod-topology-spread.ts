import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromObject, type LabelSelector } from '../../../api/labels.js';
import { podMatchesNodeSelectorAndAffinity } from '../../../api/node-affinity.js';
import { firstUntoleratedTaint } from '../../../api/taints.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import {
  MAX_NODE_SCORE,
  SKIP,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/types.js';

export const SPREAD_REASON = "node(s) didn't match pod topology spread constraints";
export const SPREAD_MISSING_LABEL_REASON = `${SPREAD_REASON} (missing required label)`;
const FILTER_KEY = 'PreFilterPodTopologySpread';
const SCORE_KEY = 'PreScorePodTopologySpread';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

export function constraintsOf(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== when) continue;
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: selectorOf(c, pod),
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

/** labelSelector, narrowed by matchLabelKeys to the incoming pod's values of those keys. */
function selectorOf(c: TopologySpreadConstraint, pod: PodInfo): LabelSelector {
  const keys = c.matchLabelKeys ?? [];
  if (keys.length === 0 || !c.labelSelector) return labelSelectorFromObject(c.labelSelector);
  const matchLabels = { ...(c.labelSelector.matchLabels ?? {}) };
  for (const k of keys) {
    const v = pod.labels[k];
    if (v !== undefined) matchLabels[k] = v;
  }
  return labelSelectorFromObject({ ...c.labelSelector, matchLabels });
}

/** Nodes whose pods count toward the spread: carrying every topology key and passing the node policies. */
function eligible(pod: PodInfo, constraints: Constraint[], node: NodeInfo): boolean {
  if (!node.node) return false;
  const labels = node.labels();
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  if (
    constraints.some((c) => c.honorNodeAffinity) &&
    !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)
  ) {
    return false;
  }
  if (
    constraints.some((c) => c.honorTaints) &&
    firstUntoleratedTaint(node.node.spec?.taints, pod.pod.spec?.tolerations)
  ) {
    return false;
  }
  return true;
}

function countMatching(c: Constraint, pod: PodInfo, node: NodeInfo): number {
  let n = 0;
  for (const p of node.pods) {
    if (p.namespace !== pod.namespace || p.pod.metadata?.deletionTimestamp) continue;
    if (c.selector.matches(p.labels)) n++;
  }
  return n;
}

class SpreadCounts {
  constructor(
    readonly constraints: Constraint[],
    /** Per constraint: topology value → matching pods. */
    readonly counts: Map<string, number>[],
    readonly min: number[],
  ) {}

  recomputeMin(): void {
    for (let i = 0; i < this.counts.length; i++) {
      let m = Infinity;
      for (const v of this.counts[i]!.values()) if (v < m) m = v;
      this.min[i] = m === Infinity ? 0 : m;
    }
  }

  clone(): SpreadCounts {
    return new SpreadCounts(
      this.constraints,
      this.counts.map((m) => new Map(m)),
      [...this.min],
    );
  }
}

/**
 * DoNotSchedule constraints (filter): placing the pod must keep (matching pods in the node's domain + 1) −
 * (global minimum) within maxSkew; ScheduleAnyway constraints (score): fewer matching pods in the domain is better.
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    const constraints = constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return SKIP;
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cluster.nodes()) {
      if (!eligible(pod, constraints, node)) continue;
      const labels = node.labels();
      constraints.forEach((c, i) => {
        const value = labels[c.topologyKey]!;
        const m = counts[i]!;
        m.set(value, (m.get(value) ?? 0) + countMatching(c, pod, node));
      });
    }
    const s = new SpreadCounts(constraints, counts, []);
    s.recomputeMin();
    state.write(FILTER_KEY, s);
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, removed, node, -1);
  }

  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): void {
    const s = state.read<SpreadCounts>(FILTER_KEY);
    if (!s || other.namespace !== pod.namespace || !eligible(pod, s.constraints, node)) return;
    const labels = node.labels();
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels)) return;
      const m = s.counts[i]!;
      const value = labels[c.topologyKey]!;
      m.set(value, (m.get(value) ?? 0) + by);
    });
    s.recomputeMin();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<SpreadCounts>(FILTER_KEY);
    if (!s) return null;
    const labels = node.labels();
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = labels[c.topologyKey];
      if (value === undefined) {
        return unresolvable(SPREAD_MISSING_LABEL_REASON, `node has no label ${c.topologyKey}`);
      }
      const counts = s.counts[i]!;
      const selfMatch = c.selector.matches(pod.labels) ? 1 : 0;
      const minMatch = counts.size < c.minDomains ? 0 : s.min[i]!;
      const skew = (counts.get(value) ?? 0) + selfMatch - minMatch;
      if (skew > c.maxSkew) {
        return unschedulable(
          SPREAD_REASON,
          `${SPREAD_REASON} (${c.topologyKey}=${value}: skew ${skew} > maxSkew ${c.maxSkew})`,
        );
      }
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): Status | null {
    const constraints = constraintsOf(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return SKIP;
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cluster.nodes()) {
      if (!eligible(pod, constraints, node)) continue;
      const labels = node.labels();
      constraints.forEach((c, i) => {
        const value = labels[c.topologyKey]!;
        const m = counts[i]!;
        m.set(value, (m.get(value) ?? 0) + countMatching(c, pod, node));
      });
    }
    const weights = constraints.map((c) => {
      const domains = new Set<string>();
      for (const n of nodes) {
        const v = n.labels()[c.topologyKey];
        if (v !== undefined) domains.add(v);
      }
      return Math.log(domains.size + 2);
    });
    state.write(SCORE_KEY, { constraints, counts, weights });
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<{ constraints: Constraint[]; counts: Map<string, number>[]; weights: number[] }>(
      SCORE_KEY,
    );
    if (!s) return 0;
    const labels = node.labels();
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = labels[c.topologyKey];
      if (value === undefined) return -1; // not scorable: normalized to 0
      score += (s.counts[i]!.get(value) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  normalize(_state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  }
}
