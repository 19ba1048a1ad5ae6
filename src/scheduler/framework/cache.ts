import type { Node } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

interface CachedPod {
  info: PodInfo;
  nodeName: string;
  /** Placed by this scheduler, not yet seen bound through the watch. */
  assumed: boolean;
}

/**
 * Nodes and the pods placed on them (upstream internal/cache): the informers feed it, and `assumePod` reserves
 * a node for a pod being bound so the next cycle sees the reservation before the watch confirms it.
 */
export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly list: NodeInfo[] = [];
  private readonly listIndex = new Map<string, number>();
  private readonly pods = new Map<string, CachedPod>();
  private readonly imageNodes = new Map<string, number>();
  /** Kept as pods come and go, so a cycle need not scan every node for them. */
  private readonly withAffinity = new Set<NodeInfo>();
  private readonly withRequiredAnti = new Set<NodeInfo>();
  private readonly priorities = new Map<number, number>();
  /** Placed pods per claim (`namespace/name`), for ReadWriteOncePod. */
  private readonly claimUsers = new Map<string, number>();

  nodes(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  nodeCount(): number {
    return this.list.length;
  }

  imageNodeCount(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  nodesWithRequiredAntiAffinityPods(): NodeInfo[] {
    return this.withRequiredAnti.size === 0 ? [] : [...this.withRequiredAnti].filter((n) => n.node);
  }

  nodesWithAffinityPods(): NodeInfo[] {
    return this.withAffinity.size === 0 ? [] : [...this.withAffinity].filter((n) => n.node);
  }

  /** Whether a placed (bound or assumed) pod uses the claim (upstream StorageInfos().IsPVCUsedByPods). */
  isClaimInUse(key: string): boolean {
    return (this.claimUsers.get(key) ?? 0) > 0;
  }

  private countClaims(info: PodInfo, by: number): void {
    for (const key of info.claimKeys) {
      const n = (this.claimUsers.get(key) ?? 0) + by;
      if (n > 0) this.claimUsers.set(key, n);
      else this.claimUsers.delete(key);
    }
  }

  lowestPodPriority(): number | undefined {
    let min: number | undefined;
    for (const p of this.priorities.keys()) if (min === undefined || p < min) min = p;
    return min;
  }

  private countPriority(priority: number, by: number): void {
    const n = (this.priorities.get(priority) ?? 0) + by;
    if (n > 0) this.priorities.set(priority, n);
    else this.priorities.delete(priority);
  }

  private trackAffinity(info: NodeInfo): void {
    if (info.podsWithAffinity > 0) this.withAffinity.add(info);
    else this.withAffinity.delete(info);
    if (info.podsWithRequiredAntiAffinity > 0) this.withRequiredAnti.add(info);
    else this.withRequiredAnti.delete(info);
  }

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    if (info.node) this.countImages(info, -1);
    info.setNode(node);
    this.countImages(info, 1);
    if (!this.listIndex.has(name)) {
      this.listIndex.set(name, this.list.length);
      this.list.push(info);
    }
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    if (info.node) this.countImages(info, -1);
    info.node = undefined;
    info.unschedulable = false;
    const i = this.listIndex.get(name);
    if (i !== undefined) {
      const last = this.list.pop()!;
      if (last !== info) {
        this.list[i] = last;
        this.listIndex.set(last.name, i);
      }
      this.listIndex.delete(name);
    }
    // Pods still listed keep the entry until they go (their deletes may follow the node's).
    if (info.pods.length === 0) this.infos.delete(name);
  }

  private countImages(info: NodeInfo, sign: 1 | -1): void {
    for (const image of info.images.keys()) {
      const n = (this.imageNodes.get(image) ?? 0) + sign;
      if (n > 0) this.imageNodes.set(image, n);
      else this.imageNodes.delete(image);
    }
  }

  /** A pod the API says is bound to `nodeName` (add or update). Confirms an assumption. */
  addPod(info: PodInfo, nodeName: string): void {
    const prior = this.pods.get(info.key);
    if (prior) this.detach(prior);
    this.attach({ info, nodeName, assumed: false });
  }

  removePod(key: string): void {
    const prior = this.pods.get(key);
    if (prior) this.detach(prior);
  }

  assumePod(info: PodInfo, nodeName: string): void {
    const prior = this.pods.get(info.key);
    if (prior) this.detach(prior);
    this.attach({ info, nodeName, assumed: true });
  }

  /** The bind failed: drop the reservation, unless the watch already confirmed the pod. */
  forgetPod(key: string): void {
    const prior = this.pods.get(key);
    if (prior?.assumed) this.detach(prior);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  podNode(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  podCount(): number {
    return this.pods.size;
  }

  private attach(p: CachedPod): void {
    this.pods.set(p.info.key, p);
    let info = this.infos.get(p.nodeName);
    if (!info) this.infos.set(p.nodeName, (info = new NodeInfo(p.nodeName)));
    info.addPod(p.info);
    this.countPriority(p.info.priority, 1);
    this.countClaims(p.info, 1);
    if (p.info.hasAffinity()) this.trackAffinity(info);
  }

  private detach(p: CachedPod): void {
    this.pods.delete(p.info.key);
    this.countPriority(p.info.priority, -1);
    this.countClaims(p.info, -1);
    const info = this.infos.get(p.nodeName);
    if (!info) return;
    info.removePod(p.info.key);
    if (p.info.hasAffinity()) this.trackAffinity(info);
    if (!info.node && info.pods.length === 0) this.infos.delete(p.nodeName);
  }
}
