import type { Node } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue } from '../../api/quantity.js';
import type { HostPort, PodInfo } from './pod-info.js';

/**
 * A node and the pods on it, with running sums kept as pods come and go (upstream framework.NodeInfo):
 * requested resources, non-zero requests for scoring, host ports in use, pods with (anti-)affinity.
 * Values are milli-units, as PodInfo's.
 */
export class NodeInfo {
  node: Node | undefined;
  name: string;
  readonly allocatable = new Map<string, number>();
  readonly requested = new Map<string, number>();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  /** Hot-path copies of allocatable/requested cpu and memory and the allowed pod count. */
  allocatableCpu = 0;
  allocatableMemory = 0;
  allowedPods = 0;
  /** node.spec.unschedulable, read by a filter for every node and pod. */
  unschedulable = false;
  requestedCpu = 0;
  requestedMemory = 0;
  readonly pods: PodInfo[] = [];
  private readonly podIndex = new Map<string, number>();
  /** `protocol/ip/port` → pods using it. */
  readonly usedPorts = new Map<string, number>();
  /** `protocol/port` → pods using it on any IP. */
  readonly usedPortsAnyIp = new Map<string, number>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** image name → size in bytes, from node.status.images. */
  readonly images = new Map<string, number>();
  /** Bumped on every change; lets callers notice staleness cheaply. */
  generation = 0;
  /** Counts of this node's pods by what they matched (see `countOf`), valid for one generation. */
  private lastCountId = -1;
  private lastCount = 0;
  private lastCountGeneration = -1;
  private counts: Map<number, number> | undefined;
  private countsGeneration = -1;
  /** The labels of `labelsOf`, read for every scored node (one pointer instead of three). */
  private labelsOf: Node | undefined;
  private labelsCache: Record<string, string> = NO_LABELS;

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? this.name;
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable.clear();
    for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
      this.allocatable.set(k, Number(quantityMilliValue(parseQuantity(v))));
    }
    this.allocatableCpu = this.allocatable.get('cpu') ?? 0;
    this.allocatableMemory = this.allocatable.get('memory') ?? 0;
    this.allowedPods = (this.allocatable.get('pods') ?? 0) / 1000;
    this.images.clear();
    for (const img of node.status?.images ?? []) {
      for (const name of img.names ?? []) this.images.set(normalizeImageName(name), img.sizeBytes ?? 0);
    }
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.podIndex.has(p.key)) this.removePod(p.key);
    this.podIndex.set(p.key, this.pods.length);
    this.pods.push(p);
    this.account(p, 1);
  }

  /** Returns the removed PodInfo, if the pod was here. */
  removePod(key: string): PodInfo | undefined {
    const i = this.podIndex.get(key);
    if (i === undefined) return undefined;
    const p = this.pods[i]!;
    const last = this.pods.pop()!;
    if (last !== p) {
      this.pods[i] = last;
      this.podIndex.set(last.key, i);
    }
    this.podIndex.delete(key);
    this.account(p, -1);
    return p;
  }

  /**
   * A count over this node's pods, kept until the node changes; `id` names what is counted (see
   * `CountIds`). Spreading counts a node's pods matching a selector each time the node is scored, hundreds
   * of nodes per pod; walking the pods' objects, scattered over the heap, cost a cache miss per field read
   * (~0.8 ms per pod at 5,000 nodes), this lookup does not. Consecutive pods mostly belong to one workload,
   * so the last count is kept in fields of its own.
   */
  countOf(id: number, count: (node: NodeInfo) => number): number {
    if (id === this.lastCountId && this.lastCountGeneration === this.generation) return this.lastCount;
    if (this.countsGeneration !== this.generation || !this.counts) {
      this.counts = new Map();
      this.countsGeneration = this.generation;
    }
    let n = this.counts.get(id);
    if (n === undefined) {
      if (this.counts.size >= MAX_KEPT_COUNTS) this.counts.clear();
      n = count(this);
      this.counts.set(id, n);
    }
    this.lastCountId = id;
    this.lastCount = n;
    this.lastCountGeneration = this.generation;
    return n;
  }

  hasPod(key: string): boolean {
    return this.podIndex.has(key);
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    for (let i = 0; i < p.resourceNames.length; i++) {
      const name = p.resourceNames[i]!;
      this.requested.set(name, (this.requested.get(name) ?? 0) + sign * p.resourceValues[i]!);
    }
    this.requestedCpu += sign * p.requestCpu;
    this.requestedMemory += sign * p.requestMemory;
    this.nonZeroCpu += sign * p.nonZeroCpu;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    for (const hp of p.hostPorts) {
      bump(this.usedPorts, portKey(hp), sign);
      bump(this.usedPortsAnyIp, `${hp.protocol}/${hp.port}`, sign);
    }
    if (p.hasAffinity()) this.podsWithAffinity += sign;
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
    this.generation++;
  }

  /** A copy for what-if evaluation (preemption, nominated pods); PodInfos are shared, not copied. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    for (const [k, v] of this.allocatable) c.allocatable.set(k, v);
    c.allocatableCpu = this.allocatableCpu;
    c.allocatableMemory = this.allocatableMemory;
    c.allowedPods = this.allowedPods;
    c.unschedulable = this.unschedulable;
    for (const [k, v] of this.images) c.images.set(k, v);
    for (const p of this.pods) c.addPod(p);
    return c;
  }

  labels(): Record<string, string> {
    if (this.labelsOf !== this.node) {
      this.labelsOf = this.node;
      this.labelsCache = this.node?.metadata?.labels ?? NO_LABELS;
    }
    return this.labelsCache;
  }
}

const MAX_KEPT_COUNTS = 64;
const NO_LABELS: Record<string, string> = Object.freeze({});

/** Small numbers for count keys (namespace and selector), so a node's kept counts need no string hashing. */
export class CountIds {
  private readonly ids = new Map<string, number>();
  private next = 0;

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      // Forgetting old keys costs only recounts: an id is never given to another key.
      if (this.ids.size >= 100_000) this.ids.clear();
      this.ids.set(key, (id = this.next++));
    }
    return id;
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}

export function portKey(hp: HostPort): string {
  return `${hp.protocol}/${hp.ip}/${hp.port}`;
}

/** Images are compared as upstream's normalizedImageName: a name without tag or digest gets `:latest`. */
export function normalizeImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const tail = name.slice(lastSlash + 1);
  if (tail.includes(':') || name.includes('@')) return name;
  return `${name}:latest`;
}
