import type { ClusterView } from '../../framework/cluster-view.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { termMatches, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js';
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

export const AFFINITY_REASON = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";
const FILTER_KEY = 'PreFilterInterPodAffinity';
const SCORE_KEY = 'PreScoreInterPodAffinity';
/** Weight of existing pods' required affinity terms in scoring (upstream hardPodAffinityWeight default). */
const HARD_POD_AFFINITY_WEIGHT = 1;

type NsLabels = (ns: string) => Record<string, string> | undefined;

/** `topologyKey=value` → count. */
type PairCounts = Map<string, number>;

function bump(m: PairCounts, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}

class AffinityState {
  constructor(
    readonly nsLabels: NsLabels,
    /** Existing pods' required anti-affinity terms that match the incoming pod. */
    readonly existingAnti: PairCounts,
    /** Existing pods matching all of the incoming pod's required affinity terms. */
    readonly affinity: PairCounts,
    /** Existing pods matching one of the incoming pod's required anti-affinity terms. */
    readonly anti: PairCounts,
  ) {}
  clone(): AffinityState {
    return new AffinityState(
      this.nsLabels,
      new Map(this.existingAnti),
      new Map(this.affinity),
      new Map(this.anti),
    );
  }
}

function matchesAll(terms: AffinityTerm[], target: PodInfo, ns: NsLabels): boolean {
  for (const t of terms) if (!termMatches(t, target, ns)) return false;
  return true;
}

/**
 * Required pod affinity / anti-affinity (filter): the incoming pod's terms against pods already placed, and
 * placed pods' anti-affinity against the incoming pod. Preferred terms, both ways, score by topology domain.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    const ns = (n: string): Record<string, string> | undefined => cluster.namespaceLabels(n);
    const withAnti = cluster.nodesWithRequiredAntiAffinityPods();
    const own = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
    if (withAnti.length === 0 && !own) return SKIP;
    const s = new AffinityState(ns, new Map(), new Map(), new Map());
    for (const node of withAnti) this.countExistingAnti(s, pod, node, 1);
    if (own)
      for (const node of cluster.nodes()) for (const p of node.pods) this.countIncoming(s, pod, p, node, 1);
    state.write(FILTER_KEY, s);
    return null;
  }

  private countExistingAnti(
    s: AffinityState,
    pod: PodInfo,
    node: NodeInfo,
    by: number,
    only?: PodInfo,
  ): void {
    const labels = node.labels();
    for (const p of only ? [only] : node.pods) {
      for (const t of p.requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod, s.nsLabels))
          bump(s.existingAnti, `${t.topologyKey}=${v}`, by);
      }
    }
  }

  private countIncoming(s: AffinityState, pod: PodInfo, existing: PodInfo, node: NodeInfo, by: number): void {
    const labels = node.labels();
    if (pod.requiredAffinity.length > 0 && matchesAll(pod.requiredAffinity, existing, s.nsLabels)) {
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) bump(s.affinity, `${t.topologyKey}=${v}`, by);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, existing, s.nsLabels)) bump(s.anti, `${t.topologyKey}=${v}`, by);
    }
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    const s = state.read<AffinityState>(FILTER_KEY);
    if (!s) return;
    this.countExistingAnti(s, pod, node, 1, added);
    this.countIncoming(s, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    const s = state.read<AffinityState>(FILTER_KEY);
    if (!s) return;
    this.countExistingAnti(s, pod, node, -1, removed);
    this.countIncoming(s, pod, removed, node, -1);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<AffinityState>(FILTER_KEY);
    if (!s) return null;
    const labels = node.labels();
    // Upstream's order: the pod's own affinity, its own anti-affinity, then existing pods' anti-affinity.
    if (pod.requiredAffinity.length > 0) {
      let allFound = true;
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v === undefined)
          return unresolvable(AFFINITY_REASON, `${AFFINITY_REASON} (no label ${t.topologyKey})`);
        if (!s.affinity.has(`${t.topologyKey}=${v}`)) allFound = false;
      }
      // The first pod of a group that selects itself may go anywhere (upstream's special case).
      if (!allFound && !(s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod, s.nsLabels))) {
        return unresolvable(AFFINITY_REASON);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && s.anti.has(`${t.topologyKey}=${v}`)) {
        return unschedulable(ANTI_AFFINITY_REASON, `${ANTI_AFFINITY_REASON} (${t.topologyKey}=${v})`);
      }
    }
    if (s.existingAnti.size > 0) {
      for (const [k, v] of Object.entries(labels)) {
        if (s.existingAnti.has(`${k}=${v}`)) {
          return unschedulable(EXISTING_ANTI_AFFINITY_REASON, `${EXISTING_ANTI_AFFINITY_REASON} (${k}=${v})`);
        }
      }
    }
    return null;
  }

  preScore(
    state: CycleState,
    pod: PodInfo,
    _nodes: readonly NodeInfo[],
    cluster: ClusterView,
  ): Status | null {
    const ns: NsLabels = (n) => cluster.namespaceLabels(n);
    const incoming = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    const nodes = incoming ? cluster.nodes() : cluster.nodesWithAffinityPods();
    if (nodes.length === 0) return SKIP;
    const scores: PairCounts = new Map();
    const add = (t: AffinityTerm, labels: Record<string, string>, w: number): void => {
      const v = labels[t.topologyKey];
      if (v !== undefined) bump(scores, `${t.topologyKey}=${v}`, w);
    };
    for (const node of nodes) {
      const labels = node.labels();
      for (const p of node.pods) {
        if (incoming) {
          for (const t of pod.preferredAffinity) if (termMatches(t, p, ns)) add(t, labels, t.weight);
          for (const t of pod.preferredAntiAffinity) if (termMatches(t, p, ns)) add(t, labels, -t.weight);
        }
        if (!p.hasAffinity()) continue;
        for (const t of p.requiredAffinity)
          if (termMatches(t, pod, ns)) add(t, labels, HARD_POD_AFFINITY_WEIGHT);
        for (const t of p.preferredAffinity) if (termMatches(t, pod, ns)) add(t, labels, t.weight);
        for (const t of p.preferredAntiAffinity) if (termMatches(t, pod, ns)) add(t, labels, -t.weight);
      }
    }
    if (scores.size === 0) return SKIP;
    state.write(SCORE_KEY, scores);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read<PairCounts>(SCORE_KEY);
    if (!scores) return 0;
    let total = 0;
    for (const [k, v] of Object.entries(node.labels())) total += scores.get(`${k}=${v}`) ?? 0;
    return total;
  }

  normalize(_state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
    }
  }
}
