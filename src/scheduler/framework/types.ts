import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../client/index.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { ClusterView } from './cluster-view.js';

/**
 * A plugin's verdict. `null` is success (upstream's nil *Status); failures are values, never exceptions.
 * Unschedulable: preempting pods on the node might help. UnschedulableAndUnresolvable: it would not.
 */
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  code: Code;
  /** Short reasons counted across nodes in the summary, e.g. "Insufficient cpu". */
  reasons: string[];
  /** What exactly failed, for the per-node explanation, e.g. "Insufficient cpu (requested 2, free 1.5)". */
  detail?: string;
  plugin?: string;
}

export function unschedulable(reason: string, detail?: string): Status {
  return detail === undefined
    ? { code: 'Unschedulable', reasons: [reason] }
    : { code: 'Unschedulable', reasons: [reason], detail };
}

export function unresolvable(reason: string, detail?: string): Status {
  return detail === undefined
    ? { code: 'UnschedulableAndUnresolvable', reasons: [reason] }
    : { code: 'UnschedulableAndUnresolvable', reasons: [reason], detail };
}

export const SKIP: Status = { code: 'Skip', reasons: [] };

/** Per-cycle scratch space shared by a plugin's extension points (upstream CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  /** Plugins whose state changes under addPod/removePod store values with a `clone()` method. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cloneable = v as { clone?: () => unknown } | undefined;
      c.data.set(k, typeof cloneable?.clone === 'function' ? cloneable.clone() : v);
    }
    return c;
  }
  /** Plugins that returned Skip from PreFilter are not run at Filter. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Status | null;
  /** Keep PreFilter state right when preemption or nominated pods add or remove pods from a node. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): Status | null;
}

export interface ScorePlugin extends Plugin {
  /** Raw score of one node; NormalizeScore (if any) maps the raw scores to 0–100 afterwards. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalize?(state: CycleState, pod: PodInfo, scores: Float64Array): void;
}

/** After the node is chosen and before the pod is bound to it (upstream PreBind): may write to the API. */
export interface PreBindPlugin extends Plugin {
  preBind(pod: PodInfo, nodeName: string, cluster: ClusterView, client: ApiClient): Promise<Status | null>;
}

export const MAX_NODE_SCORE = 100;

export type AnyPlugin = Plugin &
  Partial<Pick<PreFilterPlugin, 'preFilter' | 'addPod' | 'removePod'>> &
  Partial<Pick<FilterPlugin, 'filter'>> &
  Partial<Pick<PreScorePlugin, 'preScore'>> &
  Partial<Pick<ScorePlugin, 'score' | 'normalize'>> &
  Partial<Pick<PreBindPlugin, 'preBind'>>;

export type PodRef = Pick<Pod, 'metadata'>;
