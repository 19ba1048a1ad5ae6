import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromObject, type LabelSelector } from '../../../api/labels.js';
import { podMatchesNodeSelectorAndAffinity } from '../../../api/node-affinity.js';
import { firstUntoleratedTaint } from '../../../api/taints.js';
import type { ClusterView } from '../../framework/cluster-view.js';
import { CountIds, type NodeInfo } from '../../framework/node-info.js';
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
import { defaultSpreadSelector, HOSTNAME_KEY, spreadDefaults, type SpreadDefaults } from './defaults.js';

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
  /** Names the namespace and selector: what a node's count of matching pods is kept under. */
  countId: number;
  count: (node: NodeInfo) => number;
}

type Unsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

/** One numbering for every instance of the plugin (profiles), since nodes keep counts by these numbers. */
const COUNT_IDS = new CountIds();

interface ScoreState {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods (empty for the hostname key). */
  counts: Map<string, number>[];
  weights: number[];
  /** Filtered nodes lacking a key the pod's own constraints need. */
  ignored: Set<string>;
}

function constraintsOf(pod: PodInfo, when: Unsatisfiable): Constraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => toConstraint(c, selectorOf(c, pod), pod.namespace));
}

function toConstraint(c: TopologySpreadConstraint, selector: LabelSelector, namespace: string): Constraint {
  // A nil labelSelector matches nothing and prints like an empty one, which matches everything.
  const selectorKey = !selector.empty && selector.requirements.length === 0 ? '<none>' : selector.toString();
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
    countId: COUNT_IDS.id(`${namespace}\0${selectorKey}`),
    count: (node) => {
      let n = 0;
      for (const p of node.pods) {
        if (p.namespace !== namespace || p.pod.metadata?.deletionTimestamp) continue;
        if (selector.matches(p.labels)) n++;
      }
      return n;
    },
  };
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

function carriesKeys(constraints: Constraint[], labels: Record<string, string>): boolean {
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/**
 * For one node: whether its pods count for a constraint (nodeAffinityPolicy, nodeTaintsPolicy). The node
 * affinity check runs at most once per node, whatever the number of constraints.
 */
function inclusionOf(pod: PodInfo, node: NodeInfo): (c: Constraint) => boolean {
  let affinity: boolean | undefined;
  return (c) => {
    if (c.honorNodeAffinity && !(affinity ??= podMatchesNodeSelectorAndAffinity(pod.pod, node.node!))) {
      return false;
    }
    return !(c.honorTaints && firstUntoleratedTaint(node.node?.spec?.taints, pod.pod.spec?.tolerations));
  };
}

/** Per-constraint counts of matching pods by topology value, over every node carrying all the keys. */
function countDomains(
  pod: PodInfo,
  constraints: Constraint[],
  nodes: readonly NodeInfo[],
  requireAllKeys: boolean,
  counts: Map<string, number>[],
  onlyKnownValues: boolean,
): void {
  if (onlyKnownValues && counts.every((m) => m.size === 0)) return;
  for (const node of nodes) {
    if (!node.node) continue;
    const labels = node.labels();
    if (requireAllKeys && !carriesKeys(constraints, labels)) continue;
    const included = inclusionOf(pod, node);
    constraints.forEach((c, i) => {
      const m = counts[i]!;
      if (onlyKnownValues && m.size === 0) return;
      const value = labels[c.topologyKey] ?? '';
      const have = m.get(value);
      if (onlyKnownValues && have === undefined) return;
      if (!included(c)) return;
      m.set(value, (have ?? 0) + countMatching(c, node));
    });
  }
}

/** The node's pods in the incoming pod's namespace that the constraint's selector matches. */
function countMatching(c: Constraint, node: NodeInfo): number {
  return node.countOf(c.countId, c.count);
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
  private readonly defaults: SpreadDefaults;

  /** `args`: PodTopologySpreadArgs (defaultingType System, the default, or List with defaultConstraints). */
  constructor(args?: unknown) {
    this.defaults = spreadDefaults(args);
  }

  /** The pod's own constraints of this kind; for a pod without any, the defaults, if something selects it. */
  private constraintsFor(pod: PodInfo, when: Unsatisfiable, cluster: ClusterView): Constraint[] {
    if (pod.pod.spec?.topologySpreadConstraints?.length) return constraintsOf(pod, when);
    const defaults = this.defaults.constraints.filter((c) => c.whenUnsatisfiable === when);
    if (defaults.length === 0) return [];
    const selector = defaultSpreadSelector(pod.pod, cluster);
    if (selector.empty) return [];
    return defaults.map((c) => toConstraint(c, selector, pod.namespace));
  }

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    const constraints = this.constraintsFor(pod, 'DoNotSchedule', cluster);
    if (constraints.length === 0) return SKIP;
    const counts = constraints.map(() => new Map<string, number>());
    countDomains(pod, constraints, cluster.nodes(), true, counts, false);
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
    if (!s || other.namespace !== pod.namespace || !node.node) return;
    const labels = node.labels();
    if (!carriesKeys(s.constraints, labels)) return;
    const included = inclusionOf(pod, node);
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !included(c)) return;
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

  /**
   * As upstream: counts per topology value over all nodes, but only for values some filtered node has, and
   * none for the hostname key (a node is its own domain: counted as it is scored). With system defaults a
   * node lacking a key (commonly the zone) is still scored by the keys it has.
   */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): Status | null {
    const constraints = this.constraintsFor(pod, 'ScheduleAnyway', cluster);
    if (constraints.length === 0) return SKIP;
    const requireAllKeys = !!pod.pod.spec?.topologySpreadConstraints?.length || !this.defaults.system;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    const domains = constraints.map(() => new Set<string>());
    for (const n of nodes) {
      const labels = n.labels();
      if (requireAllKeys && !carriesKeys(constraints, labels)) {
        ignored.add(n.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME_KEY) return;
        const value = labels[c.topologyKey];
        domains[i]!.add(value ?? '');
        // Score reads a count only for a node carrying the key.
        if (value !== undefined) counts[i]!.set(value, 0);
      });
    }
    countDomains(pod, constraints, cluster.nodes(), requireAllKeys, counts, true);
    const weights = constraints.map((c, i) =>
      Math.log((c.topologyKey === HOSTNAME_KEY ? nodes.length - ignored.size : domains[i]!.size) + 2),
    );
    state.write(SCORE_KEY, { constraints, counts, weights, ignored } satisfies ScoreState);
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (!s) return 0;
    if (s.ignored.size > 0 && s.ignored.has(node.name)) return -1; // not scorable: normalized to 0
    const labels = node.labels();
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = labels[c.topologyKey];
      if (value === undefined) continue;
      const count = c.topologyKey === HOSTNAME_KEY ? countMatching(c, node) : (s.counts[i]!.get(value) ?? 0);
      score += count * s.weights[i]! + (c.maxSkew - 1);
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
