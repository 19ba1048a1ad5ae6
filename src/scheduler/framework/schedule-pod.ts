import type { ClusterView } from './cluster-view.js';
import { FitError } from './fit-error.js';
import type { Framework, Nominator } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { CycleState, type Status } from './types.js';

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to look for before scoring (upstream numFeasibleNodesToFind): all of a small
 * cluster; otherwise a percentage that shrinks as the cluster grows (50% − nodes/125, at least 5%), and at
 * least 100 nodes.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
      percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (percentage >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface ScheduleResult {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
  state: CycleState;
}

/** The placement algorithm of one cycle (upstream schedulePod): filter a rotating slice of nodes, score, pick. */
export class PodScheduler {
  /** Where the next cycle starts looking, so successive pods spread their filtering over all nodes. */
  private nextStartNodeIndex = 0;

  constructor(private readonly percentageOfNodesToScore = 0) {}

  schedule(
    fwk: Framework,
    pod: PodInfo,
    cluster: ClusterView,
    nominator: Nominator,
  ): { ok: ScheduleResult } | { fit: FitError; state: CycleState } {
    const state = new CycleState();
    const nodes = cluster.nodes();
    if (nodes.length === 0) return { fit: new FitError(0, new Map()), state };
    const pre = fwk.runPreFilter(state, pod, cluster);
    if (pre) {
      const statuses = new Map<string, Status>();
      for (const n of nodes) statuses.set(n.name, pre);
      return { fit: new FitError(nodes.length, statuses, pre), state };
    }
    const statuses = new Map<string, Status>();

    // A pod nominated by an earlier preemption tries its node first.
    const nominatedName = pod.pod.status?.nominatedNodeName;
    if (nominatedName) {
      const n = cluster.node(nominatedName);
      if (n && !fwk.runFilterWithNominated(state, pod, n, nominator)) {
        return { ok: { node: n.name, evaluatedNodes: 1, feasibleNodes: 1, state } };
      }
    }

    const feasible = this.findFeasible(fwk, state, pod, nodes, nominator, statuses);
    if (feasible.length === 0) return { fit: new FitError(nodes.length, statuses), state };
    const evaluated = feasible.length + statuses.size;
    if (feasible.length === 1) {
      return { ok: { node: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1, state } };
    }
    const scores = fwk.runScore(state, pod, feasible, cluster);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    return {
      ok: { node: feasible[best]!.name, evaluatedNodes: evaluated, feasibleNodes: feasible.length, state },
    };
  }

  private findFeasible(
    fwk: Framework,
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    nominator: Nominator,
    statuses: Map<string, Status>,
  ): NodeInfo[] {
    const total = nodes.length;
    const want = numFeasibleNodesToFind(total, this.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % total;
    let processed = 0;
    for (; processed < total && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % total]!;
      const s = fwk.runFilterWithNominated(state, pod, node, nominator);
      if (s) statuses.set(node.name, s);
      else feasible.push(node);
    }
    this.nextStartNodeIndex = (start + processed) % total;
    return feasible;
  }
}
