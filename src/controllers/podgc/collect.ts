/**
 * Which pods upstream's pod garbage collector removes (pure; `PodGcController` acts on it):
 * - terminating pods on a node that is not Ready and carries the `node.kubernetes.io/out-of-service` taint
 *   (the non-graceful node shutdown flow: nothing will ever confirm their stop, and a StatefulSet cannot
 *   replace a pod whose name is still taken);
 * - pods bound to a node that does not exist (confirmed against the API before acting);
 * - terminating pods that were never scheduled;
 * - finished pods past the threshold, oldest first.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodTerminal } from '../../api/pods.js';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface Collection {
  /** Terminating on an out-of-service node: marked Failed, then deleted without grace. */
  outOfService: Pod[];
  /** Bound to a node the node informer does not know: deleted once the API confirms the node is gone. */
  maybeOrphaned: Pod[];
  unscheduledTerminating: Pod[];
  /** Finished pods beyond the threshold, oldest first. */
  terminatedOverThreshold: Pod[];
}

function notReady(node: Node): boolean {
  return !node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

function outOfService(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute');
}

export function podsToCollect(
  pods: Pod[],
  nodes: Map<string, Node>,
  terminatedThreshold: number,
): Collection {
  const out: Collection = {
    outOfService: [],
    maybeOrphaned: [],
    unscheduledTerminating: [],
    terminatedOverThreshold: [],
  };
  const terminated: Pod[] = [];
  for (const p of pods) {
    const nodeName = p.spec?.nodeName;
    const terminating = Boolean(p.metadata?.deletionTimestamp);
    if (!nodeName) {
      if (terminating) out.unscheduledTerminating.push(p);
      continue;
    }
    const node = nodes.get(nodeName);
    if (!node) out.maybeOrphaned.push(p);
    else if (terminating && notReady(node) && outOfService(node)) out.outOfService.push(p);
    else if (isPodTerminal(p) && !terminating) terminated.push(p);
  }
  if (terminatedThreshold > 0 && terminated.length > terminatedThreshold) {
    const created = (p: Pod): number => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
    terminated.sort((a, b) => created(a) - created(b));
    out.terminatedOverThreshold = terminated.slice(0, terminated.length - terminatedThreshold);
  }
  return out;
}
