import type { Status } from './types.js';

/** Per-node lines in the FailedScheduling event are capped here; the rest are counted. */
export const MAX_NODE_DETAILS = 20;

/** "3 Insufficient cpu, 2 node(s) had untolerated taint {k: v}": reasons counted over nodes, sorted as upstream. */
export function reasonHistogram(statuses: ReadonlyMap<string, Status>): string {
  const counts = new Map<string, number>();
  for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

/** Why a pod fits nowhere (upstream framework.FitError). */
export class FitError {
  postFilterMsg = '';

  constructor(
    readonly numAllNodes: number,
    /** Node name → why it was rejected. */
    readonly statuses: Map<string, Status>,
    /** Set when a PreFilter rejected the pod for every node. */
    readonly preFilterStatus?: Status,
  ) {}

  /** The summary for the PodScheduled condition, e.g. "0/5 nodes are available: 3 Insufficient cpu. preemption: …". */
  message(): string {
    if (this.numAllNodes === 0 && !this.preFilterStatus) {
      return `no nodes available to schedule pods${this.postFilterMsg ? ` ${this.postFilterMsg}` : ''}`;
    }
    let msg = `0/${this.numAllNodes} nodes are available:`;
    if (this.preFilterStatus) {
      msg += ` ${this.preFilterStatus.reasons.join(', ')}.`;
    } else {
      const hist = reasonHistogram(this.statuses);
      if (hist) msg += ` ${hist}.`;
    }
    if (this.postFilterMsg) msg += ` ${this.postFilterMsg}`;
    return msg;
  }

  /** Per-node explanation lines, e.g. "node-3: Insufficient cpu (requested 2, free 1.5)", bounded. */
  details(max = MAX_NODE_DETAILS): string[] {
    if (this.preFilterStatus) {
      const s = this.preFilterStatus;
      return [`all nodes: ${s.detail ?? s.reasons.join(', ')}`];
    }
    const names = [...this.statuses.keys()].sort();
    const lines = names.slice(0, max).map((n) => {
      const s = this.statuses.get(n)!;
      return `${n}: ${s.detail ?? s.reasons.join(', ')}`;
    });
    if (names.length > max) lines.push(`and ${names.length - max} more`);
    return lines;
  }
}
