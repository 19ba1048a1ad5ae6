import type { ApiClient } from '../../client/index.js';
import type { ClusterView } from './cluster-view.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type {
  AnyPlugin,
  CycleState,
  FilterPlugin,
  PreBindPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
  Status,
} from './types.js';

export interface ProfileSpec {
  schedulerName: string;
  /** Enabled plugins in run order. */
  plugins: AnyPlugin[];
  /** Score weights by plugin name (plugins without a weight here do not score). */
  weights: Record<string, number>;
  /** Run preemption (DefaultPreemption PostFilter) when a pod fits nowhere. */
  preemption: boolean;
}

/** Pods nominated to nodes by preemption, which lower-or-equal priority pods must leave room for. */
export interface Nominator {
  nominatedPodsOn(nodeName: string): readonly PodInfo[];
}

/** One profile's plugins, split by extension point (upstream frameworkImpl). */
export class Framework {
  readonly name: string;
  readonly preemption: boolean;
  private readonly preFilters: PreFilterPlugin[];
  private readonly filters: FilterPlugin[];
  private readonly preScores: PreScorePlugin[];
  readonly scorers: { plugin: ScorePlugin; weight: number }[];
  private readonly preBinds: PreBindPlugin[];

  constructor(spec: ProfileSpec) {
    this.name = spec.schedulerName;
    this.preemption = spec.preemption;
    this.preFilters = spec.plugins.filter(
      (p): p is PreFilterPlugin & AnyPlugin => typeof p.preFilter === 'function',
    );
    this.filters = spec.plugins.filter((p): p is FilterPlugin & AnyPlugin => typeof p.filter === 'function');
    this.preScores = spec.plugins.filter(
      (p): p is PreScorePlugin & AnyPlugin => typeof p.preScore === 'function',
    );
    this.preBinds = spec.plugins.filter(
      (p): p is PreBindPlugin & AnyPlugin => typeof p.preBind === 'function',
    );
    this.scorers = spec.plugins
      .filter(
        (p): p is ScorePlugin & AnyPlugin => typeof p.score === 'function' && (spec.weights[p.name] ?? 0) > 0,
      )
      .map((plugin) => ({ plugin, weight: spec.weights[plugin.name]! }));
  }

  plugin<T>(name: string): T | undefined {
    return (
      (this.filters.find((p) => p.name === name) as T | undefined) ??
      (this.scorers.find((s) => s.plugin.name === name)?.plugin as T | undefined)
    );
  }

  /** A failure here fails the pod on every node. */
  runPreFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null {
    for (const p of this.preFilters) {
      const s = p.preFilter(state, pod, cluster);
      if (!s) continue;
      if (s.code === 'Skip') {
        state.skipFilter.add(p.name);
        continue;
      }
      s.plugin = p.name;
      return s;
    }
    return null;
  }

  /** The first failing filter's status, or null when the pod fits. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const p of this.filters) {
      if (state.skipFilter.size > 0 && state.skipFilter.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (s) {
        s.plugin = p.name;
        return s;
      }
    }
    return null;
  }

  /**
   * Upstream's addNominatedPods: if pods of at least this priority are nominated to the node, the pod must fit
   * both with them and without them.
   */
  runFilterWithNominated(
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    nominator: Nominator,
  ): Status | null {
    const nominated = nominator.nominatedPodsOn(node.name);
    if (nominated.length > 0) {
      let withNominated: NodeInfo | undefined;
      let stateCopy: CycleState | undefined;
      for (const n of nominated) {
        if (n.key === pod.key || n.priority < pod.priority || node.hasPod(n.key)) continue;
        if (!withNominated) {
          withNominated = node.clone();
          stateCopy = state.clone();
        }
        withNominated.addPod(n);
        this.runAddPod(stateCopy!, pod, n, withNominated);
      }
      if (withNominated) {
        const s = this.runFilter(stateCopy!, pod, withNominated);
        if (s) return s;
      }
    }
    return this.runFilter(state, pod, node);
  }

  runAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters) if (!state.skipFilter.has(p.name)) p.addPod?.(state, pod, added, node);
  }

  runRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters)
      if (!state.skipFilter.has(p.name)) p.removePod?.(state, pod, removed, node);
  }

  /** The first failing PreBind's status, or null: the pod may be bound. */
  async runPreBind(
    pod: PodInfo,
    nodeName: string,
    cluster: ClusterView,
    client: ApiClient,
  ): Promise<Status | null> {
    for (const p of this.preBinds) {
      const s = await p.preBind(pod, nodeName, cluster, client);
      if (s) {
        s.plugin = p.name;
        return s;
      }
    }
    return null;
  }

  /** Weighted sum of normalized scores per node, in `nodes` order. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): Float64Array {
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, nodes, cluster);
      if (s?.code === 'Skip') state.skipScore.add(p.name);
    }
    const total = new Float64Array(nodes.length);
    const scores = new Float64Array(nodes.length);
    for (const { plugin, weight } of this.scorers) {
      if (state.skipScore.size > 0 && state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) total[i]! += scores[i]! * weight;
    }
    return total;
  }
}
