/**
 * Which pods the agent has admitted. A pod new to the node is judged once against the node and the pods admitted
 * before it (`admitToNode`); a refused one ends Failed without starting anything. A pod that already started
 * (under an earlier run of the agent) was admitted then and is not judged again, so a restart never fails a
 * running pod. Soft admission (AppArmor) is asked on every sync while the pod waits.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { APPARMOR_REASON, appArmorMessage, appArmorProblem, appArmorRequired } from './apparmor.js';
import { admitToNode } from './node-fit.js';

export interface Refusal {
  reason: string;
  message: string;
}

export interface PodAdmitterOptions {
  /** This node as the API has it now (labels and taints may have changed since registration). */
  fetchNode: () => Promise<Node>;
  /** Every pod bound to this node that the agent knows. */
  knownPods: () => Iterable<Pod>;
  /** Whether the pod has finished (its requests no longer count). */
  isTerminal: (pod: Pod) => boolean;
  appArmorProblem?: () => Promise<string>;
  /** The node's resource pressure as the agent observes it (default: the Node's conditions). */
  pressureConditions?: () => Promise<readonly string[]>;
}

const uidOf = (p: Pod): string => p.metadata?.uid ?? '';

export class PodAdmitter {
  private readonly admitted = new Set<string>();
  private nodeFetch: Promise<Node> | undefined;
  private appArmor: Promise<string> | undefined;

  constructor(private readonly o: PodAdmitterOptions) {}

  /** Undefined when the pod is admitted (now or before); otherwise why it is refused, in upstream's words. */
  async admit(pod: Pod, startedBefore: boolean): Promise<Refusal | undefined> {
    const uid = uidOf(pod);
    if (this.admitted.has(uid)) return undefined;
    if (startedBefore) {
      this.admitted.add(uid);
      return undefined;
    }
    const node = await this.node();
    const pressure = await this.o.pressureConditions?.();
    // Decided and recorded without a pause, so pods admitted side by side are counted against each other.
    if (this.admitted.has(uid)) return undefined;
    const active = [...this.o.knownPods()].filter(
      (p) => uidOf(p) !== uid && this.admitted.has(uidOf(p)) && !this.o.isTerminal(p),
    );
    const result = admitToNode(pod, active, node, ...(pressure ? [pressure] : []));
    if (result.admit) {
      this.admitted.add(uid);
      return undefined;
    }
    return { reason: result.reason, message: result.message };
  }

  /** Why an admitted pod must still wait before anything starts (upstream soft admission), if it must. */
  async blocked(pod: Pod): Promise<Refusal | undefined> {
    if (!appArmorRequired(pod)) return undefined;
    this.appArmor ??= (this.o.appArmorProblem ?? (() => appArmorProblem()))();
    return { reason: APPARMOR_REASON, message: appArmorMessage(await this.appArmor) };
  }

  forget(uid: string): void {
    this.admitted.delete(uid);
  }

  /** One GET shared by the pods judged at the same moment. */
  private node(): Promise<Node> {
    this.nodeFetch ??= this.o.fetchNode().finally(() => (this.nodeFetch = undefined));
    return this.nodeFetch;
  }
}
