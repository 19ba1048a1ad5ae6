import { formatQuantity, quantityFromNanos } from '../api/quantity.js';
import type { Sample } from './prometheus.js';

/** A cumulative cpu reading and what went with it. */
interface Point {
  cpuSeconds: number;
  memoryBytes: number;
  atMs: number;
}

interface Series {
  prev?: Point;
  latest: Point;
}

interface PodSeries {
  containers: Map<string, Series>;
}

interface NodeEntry {
  node: Series;
  pods: Map<string, PodSeries>;
}

export interface Usage {
  cpu: string;
  memory: string;
}

export interface NodePoint {
  timestampMs: number;
  windowMs: number;
  usage: Usage;
}

export interface PodPoint {
  timestampMs: number;
  windowMs: number;
  containers: { name: string; usage: Usage }[];
}

function advance(old: Series | undefined, p: Point): Series {
  if (!old || p.atMs <= old.latest.atMs) return old && p.atMs === old.latest.atMs ? old : { latest: p };
  // A counter that went backwards was reset (a restart): start over from this sample.
  if (p.cpuSeconds < old.latest.cpuSeconds) return { latest: p };
  return { prev: old.latest, latest: p };
}

function rate(s: Series): { cpuNanoCores: bigint; windowMs: number } | undefined {
  if (!s.prev) return undefined;
  const windowMs = s.latest.atMs - s.prev.atMs;
  if (windowMs <= 0) return undefined;
  const cores = (s.latest.cpuSeconds - s.prev.cpuSeconds) / (windowMs / 1000);
  return { cpuNanoCores: BigInt(Math.max(0, Math.round(cores * 1e9))), windowMs };
}

function usage(cpuNanoCores: bigint, memoryBytes: number): Usage {
  return {
    // Quantities in nano-units: nanocores of cpu → `12345678n`, bytes → `123456Ki`.
    cpu: formatQuantity(quantityFromNanos(cpuNanoCores)),
    memory: formatQuantity(quantityFromNanos(BigInt(Math.round(memoryBytes)) * 1_000_000_000n, 'BinarySI')),
  };
}

/**
 * The latest window of every node and pod: two scrapes per series give a cpu rate (metrics-server's storage).
 * Only what the newest scrape of a node reported is kept; a node that stops answering is dropped.
 */
export class MetricsStore {
  private readonly nodes = new Map<string, NodeEntry>();
  /** namespace/name → node it was last seen on. */
  private readonly podNode = new Map<string, string>();

  /** Records one scrape of `node` (the samples of its /metrics/resource). */
  record(node: string, samples: Sample[], scrapedAtMs: number): void {
    const old = this.nodes.get(node);
    let nodeCpu: number | undefined;
    let nodeMemory = 0;
    let nodeAt = scrapedAtMs;
    const containers = new Map<string, Map<string, Partial<Point>>>();
    const containerOf = (s: Sample): Partial<Point> | undefined => {
      const { namespace, pod, container } = s.labels;
      if (!namespace || !pod || !container) return undefined;
      const key = `${namespace}/${pod}`;
      let byName = containers.get(key);
      if (!byName) containers.set(key, (byName = new Map()));
      let p = byName.get(container);
      if (!p) byName.set(container, (p = {}));
      return p;
    };
    for (const s of samples) {
      switch (s.name) {
        case 'node_cpu_usage_seconds_total':
          nodeCpu = s.value;
          nodeAt = s.timestampMs ?? scrapedAtMs;
          break;
        case 'node_memory_working_set_bytes':
          nodeMemory = s.value;
          break;
        case 'container_cpu_usage_seconds_total': {
          const p = containerOf(s);
          if (p) {
            p.cpuSeconds = s.value;
            p.atMs = s.timestampMs ?? scrapedAtMs;
          }
          break;
        }
        case 'container_memory_working_set_bytes': {
          const p = containerOf(s);
          if (p) p.memoryBytes = s.value;
          break;
        }
      }
    }
    if (nodeCpu === undefined) {
      this.drop(node);
      return;
    }
    const entry: NodeEntry = {
      node: advance(old?.node, { cpuSeconds: nodeCpu, memoryBytes: nodeMemory, atMs: nodeAt }),
      pods: new Map(),
    };
    for (const [podKey, byName] of containers) {
      const prior = old?.pods.get(podKey);
      const series = new Map<string, Series>();
      for (const [name, p] of byName) {
        if (p.cpuSeconds === undefined || p.atMs === undefined) continue;
        const point: Point = { cpuSeconds: p.cpuSeconds, memoryBytes: p.memoryBytes ?? 0, atMs: p.atMs };
        series.set(name, advance(prior?.containers.get(name), point));
      }
      entry.pods.set(podKey, { containers: series });
      this.podNode.set(podKey, node);
    }
    for (const podKey of old?.pods.keys() ?? []) {
      if (!entry.pods.has(podKey) && this.podNode.get(podKey) === node) this.podNode.delete(podKey);
    }
    this.nodes.set(node, entry);
  }

  /** Forgets a node that is gone or not Ready. */
  drop(node: string): void {
    const old = this.nodes.get(node);
    if (!old) return;
    for (const podKey of old.pods.keys()) if (this.podNode.get(podKey) === node) this.podNode.delete(podKey);
    this.nodes.delete(node);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  getNodeMetrics(names: string[]): (NodePoint | undefined)[] {
    return names.map((name) => {
      const s = this.nodes.get(name)?.node;
      const r = s && rate(s);
      if (!s || !r) return undefined;
      return {
        timestampMs: s.latest.atMs,
        windowMs: r.windowMs,
        usage: usage(r.cpuNanoCores, s.latest.memoryBytes),
      };
    });
  }

  getPodMetrics(pods: { namespace: string; name: string }[]): (PodPoint | undefined)[] {
    return pods.map(({ namespace, name }) => {
      const key = `${namespace}/${name}`;
      const node = this.podNode.get(key);
      const series = node ? this.nodes.get(node)?.pods.get(key) : undefined;
      if (!series || series.containers.size === 0) return undefined;
      let timestampMs = 0;
      let windowMs = 0;
      const containers: PodPoint['containers'] = [];
      for (const [cname, s] of series.containers) {
        const r = rate(s);
        // metrics-server leaves out a pod until every container has a rate.
        if (!r) return undefined;
        timestampMs = Math.max(timestampMs, s.latest.atMs);
        windowMs = Math.max(windowMs, r.windowMs);
        containers.push({ name: cname, usage: usage(r.cpuNanoCores, s.latest.memoryBytes) });
      }
      return { timestampMs, windowMs, containers };
    });
  }
}
