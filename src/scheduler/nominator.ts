import type { Nominator } from './framework/framework.js';
import type { PodInfo } from './framework/pod-info.js';

/** Pending pods nominated to nodes (status.nominatedNodeName), by node (upstream nominator). */
export class NominatedPods implements Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();
  private static readonly NONE: readonly PodInfo[] = [];

  set(info: PodInfo, nodeName: string | undefined): void {
    const prior = this.nodeOf.get(info.key);
    if (prior !== undefined && prior !== nodeName) this.remove(info.key);
    if (!nodeName) return;
    let m = this.byNode.get(nodeName);
    if (!m) this.byNode.set(nodeName, (m = new Map()));
    m.set(info.key, info);
    this.nodeOf.set(info.key, nodeName);
  }

  remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m?.size === 0) this.byNode.delete(node);
  }

  nodeFor(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  nominatedPodsOn(nodeName: string): readonly PodInfo[] {
    // Asked for every candidate node of every pod; nominations are rare.
    if (this.byNode.size === 0) return NominatedPods.NONE;
    const m = this.byNode.get(nodeName);
    return m ? [...m.values()] : NominatedPods.NONE;
  }
}
