import type { LabelSelector } from '../../api/labels.js';
import type { ClusterView } from './cluster-view.js';
import { reasonHistogram, type FitError } from './fit-error.js';
import type { Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { unresolvable, type CycleState, type Status } from './types.js';

export const NO_VICTIMS_REASON = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL_REASON = 'Preemption is not helpful for scheduling';

/** What preemption needs of a PodDisruptionBudget. */
export interface DisruptionBudget {
  namespace: string;
  selector: LabelSelector;
  disruptionsAllowed: number;
}

export interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

export type PreemptionOutcome = { candidate: Candidate } | { message: string };

const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/**
 * DefaultPreemption's PostFilter (upstream framework/preemption): on each node where the pod failed for a
 * resolvable reason, evict every lower-priority pod in simulation, check the pod fits, then give back
 * (reprieve) as many of them as still lets it fit, PDB-protected and higher-priority ones first. Of the
 * candidates, choose the fewest PDB violations, then the lowest highest-priority victim, the lowest priority
 * sum, the fewest victims, the most recently started victims.
 */
export function findPreemption(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  fit: FitError,
  cluster: ClusterView,
  budgets: readonly DisruptionBudget[],
): PreemptionOutcome {
  if (pod.pod.spec?.preemptionPolicy === 'Never') {
    return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  }
  const nominated = pod.pod.status?.nominatedNodeName;
  if (nominated) {
    const node = cluster.node(nominated);
    const waiting = node?.pods.some((p) => p.priority < pod.priority && p.pod.metadata?.deletionTimestamp);
    if (waiting)
      return { message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
  }
  const nodes = cluster.nodes();
  const lowest = cluster.lowestPodPriority();
  if (lowest === undefined || lowest >= pod.priority) return { message: nothingToPreempt(fit, nodes) };
  const statuses = new Map<string, Status>();
  const candidates: Candidate[] = [];
  const wanted = Math.max(
    Math.trunc((nodes.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100),
    MIN_CANDIDATE_NODES_ABSOLUTE,
  );
  for (const node of nodes) {
    if (candidates.length >= wanted) break;
    const failed = fit.preFilterStatus ?? fit.statuses.get(node.name);
    if (!failed) continue;
    if (failed.code === 'UnschedulableAndUnresolvable') {
      statuses.set(node.name, unresolvable(NOT_HELPFUL_REASON));
      continue;
    }
    const r = selectVictimsOnNode(fwk, state, pod, node, budgets);
    if ('status' in r) statuses.set(node.name, r.status);
    else candidates.push(r.candidate);
  }
  if (candidates.length === 0) {
    return { message: `preemption: 0/${nodes.length} nodes are available: ${reasonHistogram(statuses)}.` };
  }
  return { candidate: pickCandidate(candidates) };
}

/** The summary when no pod anywhere has a lower priority, without simulating each node. */
function nothingToPreempt(fit: FitError, nodes: readonly NodeInfo[]): string {
  let notHelpful = 0;
  let noVictims = 0;
  for (const node of nodes) {
    const failed = fit.preFilterStatus ?? fit.statuses.get(node.name);
    if (!failed) continue;
    if (failed.code === 'UnschedulableAndUnresolvable') notHelpful++;
    else noVictims++;
  }
  const parts: string[] = [];
  if (notHelpful) parts.push(`${notHelpful} ${NOT_HELPFUL_REASON}`);
  if (noVictims) parts.push(`${noVictims} ${NO_VICTIMS_REASON}`);
  return `preemption: 0/${nodes.length} nodes are available: ${parts.sort().join(', ')}.`;
}

export function selectVictimsOnNode(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  budgets: readonly DisruptionBudget[],
): { candidate: Candidate } | { status: Status } {
  const potential = node.pods.filter((p) => p.priority < pod.priority);
  if (potential.length === 0) return { status: unresolvable(NO_VICTIMS_REASON) };
  const sim = node.clone();
  const simState = state.clone();
  for (const p of potential) {
    sim.removePod(p.key);
    fwk.runRemovePod(simState, pod, p, sim);
  }
  const fits = fwk.runFilter(simState, pod, sim);
  if (fits) return { status: fits };

  potential.sort(moreImportantFirst);
  const violating = new Set(podsViolatingBudgets(potential, budgets));
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    sim.addPod(p);
    fwk.runAddPod(simState, pod, p, sim);
    if (!fwk.runFilter(simState, pod, sim)) return true;
    sim.removePod(p.key);
    fwk.runRemovePod(simState, pod, p, sim);
    victims.push(p);
    return false;
  };
  for (const p of potential) if (violating.has(p) && !reprieve(p)) pdbViolations++;
  for (const p of potential) if (!violating.has(p)) reprieve(p);
  return { candidate: { node: node.name, victims, pdbViolations } };
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Higher priority first; equal priority: the longer-running first (upstream MoreImportantPod). */
function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

/** Pods whose eviction would take a matching PDB below its allowed disruptions (counted in order). */
function podsViolatingBudgets(pods: PodInfo[], budgets: readonly DisruptionBudget[]): PodInfo[] {
  if (budgets.length === 0) return [];
  const allowed = budgets.map((b) => b.disruptionsAllowed);
  const out: PodInfo[] = [];
  for (const p of pods) {
    let violates = false;
    budgets.forEach((b, i) => {
      if (b.namespace !== p.namespace || b.selector.empty || !b.selector.matches(p.labels)) return;
      allowed[i]!--;
      if (allowed[i]! < 0) violates = true;
    });
    if (violates) out.push(p);
  }
  return out;
}

export function pickCandidate(candidates: Candidate[]): Candidate {
  const highest = (c: Candidate): number => Math.max(...c.victims.map((v) => v.priority), -Infinity);
  const sum = (c: Candidate): number => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  const earliestOfHighest = (c: Candidate): number => {
    const h = highest(c);
    return Math.min(...c.victims.filter((v) => v.priority === h).map(startTime), Infinity);
  };
  let best = candidates;
  const keepMin = (f: (c: Candidate) => number): void => {
    if (best.length <= 1) return;
    const min = Math.min(...best.map(f));
    best = best.filter((c) => f(c) === min);
  };
  keepMin((c) => c.pdbViolations);
  keepMin(highest);
  keepMin(sum);
  keepMin((c) => c.victims.length);
  keepMin((c) => -earliestOfHighest(c));
  return best[0]!;
}
