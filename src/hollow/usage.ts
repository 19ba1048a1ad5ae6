import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../api/pods.js';
import { parseQuantity, quantityValue } from '../api/quantity.js';
import { ANNOTATIONS } from './pod-behaviour.js';

/**
 * The ConfigMap (in a pod's namespace) that sets simulated CPU load: each data key is an `app` label value,
 * each value the total CPU in millicores spread evenly over the ready pods labelled app=<key>, e.g.
 * `data: { web: "900" }` makes three ready `app=web` pods use 300m each.
 */
export const LOAD_CONFIGMAP = 'hollow-load';

const MI = 1024 * 1024;
export const NODE_BASELINE_CPU_MILLI = 50;
export const NODE_BASELINE_MEMORY_BYTES = 256 * MI;

export interface ContainerUsage {
  name: string;
  cpuMilli: number;
  memoryBytes: number;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function bytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return Number(quantityValue(parseQuantity(text)));
  } catch {
    return undefined;
  }
}

/** Per-pod CPU (millicores) from the hollow-load ConfigMaps: total per app split across the ready pods. */
export function loadShares(
  pods: Pod[],
  configMaps: (ns: string) => ConfigMap | undefined,
): Map<string, number> {
  const groups = new Map<string, Pod[]>();
  for (const pod of pods) {
    const app = pod.metadata?.labels?.app;
    if (app === undefined || !isPodReady(pod)) continue;
    const key = `${pod.metadata?.namespace ?? ''}\0${app}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(pod);
  }
  const shares = new Map<string, number>();
  for (const [key, members] of groups) {
    const [ns, app] = key.split('\0') as [string, string];
    const total = number(configMaps(ns)?.data?.[app]);
    if (total === undefined) continue;
    for (const pod of members) shares.set(pod.metadata?.uid ?? '', total / members.length);
  }
  return shares;
}

/**
 * What the pod's containers use now: the cpu-millicores/memory annotations, else the pod's share of the
 * hollow-load ConfigMap, else a small steady baseline that differs a little from pod to pod.
 */
export function podUsage(pod: Pod, loadShareMilli: number | undefined): ContainerUsage[] {
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 0) return [];
  const ann = pod.metadata?.annotations ?? {};
  const seed = hash(pod.metadata?.uid ?? pod.metadata?.name ?? '');
  const podCpu = number(ann[ANNOTATIONS.cpuMillicores]) ?? loadShareMilli;
  const podMemory = bytes(ann[ANNOTATIONS.memory]);
  return containers.map((c, i) => {
    const cpuMilli = podCpu !== undefined ? podCpu / containers.length : 1 + ((seed >> (i * 3)) % 4);
    const memoryBytes =
      podMemory !== undefined
        ? Math.round(podMemory / containers.length)
        : (8 + ((seed >> (i * 5)) % 16)) * MI;
    return { name: c.name, cpuMilli, memoryBytes };
  });
}

/** Cumulative CPU seconds per key, integrated from the rate in force between observations. */
export class CpuCounters {
  private readonly counters = new Map<string, { seconds: number; atMs: number; startMs: number }>();

  /** Advance `key` to `nowMs` at `milli` millicores; returns the cumulative core-seconds. */
  advance(key: string, milli: number, nowMs: number, startMs = nowMs): number {
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = { seconds: 0, atMs: startMs, startMs }));
    if (nowMs > c.atMs) {
      c.seconds += (milli / 1000) * ((nowMs - c.atMs) / 1000);
      c.atMs = nowMs;
    }
    return c.seconds;
  }

  delete(prefix: string): void {
    for (const key of this.counters.keys()) if (key.startsWith(prefix)) this.counters.delete(key);
  }
}

export interface PodSample {
  namespace: string;
  name: string;
  startMs: number;
  containers: { name: string; cpuSeconds: number; memoryBytes: number }[];
}

export interface NodeSample {
  cpuSeconds: number;
  memoryBytes: number;
  pods: PodSample[];
}

const help = (name: string, type: string, text: string): string =>
  `# HELP ${name} ${text}\n# TYPE ${name} ${type}\n`;

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',')}}`;
}

/** The kubelet's /metrics/resource document (Prometheus text format 0.0.4) for one node. */
export function renderResourceMetrics(sample: NodeSample, nowMs: number): string {
  const ts = ` ${nowMs}`;
  let out = '';
  out += help(
    'container_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
  );
  for (const p of sample.pods)
    for (const c of p.containers)
      out += `container_cpu_usage_seconds_total${labels({ container: c.name, namespace: p.namespace, pod: p.name })} ${c.cpuSeconds}${ts}\n`;
  out += help(
    'container_memory_working_set_bytes',
    'gauge',
    '[STABLE] Current working set of the container in bytes',
  );
  for (const p of sample.pods)
    for (const c of p.containers)
      out += `container_memory_working_set_bytes${labels({ container: c.name, namespace: p.namespace, pod: p.name })} ${c.memoryBytes}${ts}\n`;
  out += help(
    'container_start_time_seconds',
    'gauge',
    '[STABLE] Start time of the container since unix epoch in seconds',
  );
  for (const p of sample.pods)
    for (const c of p.containers)
      out += `container_start_time_seconds${labels({ container: c.name, namespace: p.namespace, pod: p.name })} ${p.startMs / 1000}${ts}\n`;
  out += help(
    'node_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
  );
  out += `node_cpu_usage_seconds_total ${sample.cpuSeconds}${ts}\n`;
  out += help('node_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the node in bytes');
  out += `node_memory_working_set_bytes ${sample.memoryBytes}${ts}\n`;
  out += help(
    'pod_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
  );
  for (const p of sample.pods) {
    const total = p.containers.reduce((s, c) => s + c.cpuSeconds, 0);
    out += `pod_cpu_usage_seconds_total${labels({ namespace: p.namespace, pod: p.name })} ${total}${ts}\n`;
  }
  out += help('pod_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the pod in bytes');
  for (const p of sample.pods) {
    const total = p.containers.reduce((s, c) => s + c.memoryBytes, 0);
    out += `pod_memory_working_set_bytes${labels({ namespace: p.namespace, pod: p.name })} ${total}${ts}\n`;
  }
  out += help(
    'scrape_error',
    'gauge',
    '[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
  );
  out += 'scrape_error 0\n';
  return out;
}
