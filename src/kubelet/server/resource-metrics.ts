/** The kubelet's /metrics/resource (Prometheus text 0.0.4) from the runtime's container stats and the host's readings. */
import { readFile } from 'node:fs/promises';
import type { RuntimeService } from '../cri/services.js';
import { parseMeminfo } from '../node/host-readings.js';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL } from '../labels.js';

export interface NodeUsage {
  /** Cumulative CPU time of the host, core-seconds. */
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
}

const USER_HZ = 100;

/** Busy CPU time from /proc/stat's first line (all fields but idle and iowait) and used memory from /proc/meminfo. */
export async function readNodeUsage(): Promise<NodeUsage> {
  const [stat, meminfo] = await Promise.all([
    readFile('/proc/stat', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
  ]);
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const busy = fields.slice(0, 8).reduce((s, v, i) => (i === 3 || i === 4 ? s : s + (v || 0)), 0);
  const mem = parseMeminfo(meminfo);
  return { cpuSeconds: busy / USER_HZ, memoryWorkingSetBytes: Math.max(0, mem.total - mem.available) };
}

interface ContainerPoint {
  namespace: string;
  pod: string;
  container: string;
  cpuSeconds: number;
  memoryBytes: number;
  startSeconds: number;
}

const help = (name: string, type: string, text: string): string =>
  `# HELP ${name} ${text}\n# TYPE ${name} ${type}\n`;

function labels(l: Record<string, string>): string {
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;
}

export function renderResourceMetrics(node: NodeUsage, containers: ContainerPoint[], nowMs: number): string {
  const ts = ` ${nowMs}`;
  const c = (p: ContainerPoint): string =>
    labels({ container: p.container, namespace: p.namespace, pod: p.pod });
  const pods = new Map<string, { namespace: string; pod: string; cpu: number; mem: number }>();
  for (const p of containers) {
    const key = `${p.namespace}/${p.pod}`;
    const agg = pods.get(key) ?? { namespace: p.namespace, pod: p.pod, cpu: 0, mem: 0 };
    agg.cpu += p.cpuSeconds;
    agg.mem += p.memoryBytes;
    pods.set(key, agg);
  }
  let out = help(
    'container_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
  );
  for (const p of containers) out += `container_cpu_usage_seconds_total${c(p)} ${p.cpuSeconds}${ts}\n`;
  out += help(
    'container_memory_working_set_bytes',
    'gauge',
    '[STABLE] Current working set of the container in bytes',
  );
  for (const p of containers) out += `container_memory_working_set_bytes${c(p)} ${p.memoryBytes}${ts}\n`;
  out += help(
    'container_start_time_seconds',
    'gauge',
    '[STABLE] Start time of the container since unix epoch in seconds',
  );
  for (const p of containers) out += `container_start_time_seconds${c(p)} ${p.startSeconds}${ts}\n`;
  out += help(
    'node_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
  );
  out += `node_cpu_usage_seconds_total ${node.cpuSeconds}${ts}\n`;
  out += help('node_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the node in bytes');
  out += `node_memory_working_set_bytes ${node.memoryWorkingSetBytes}${ts}\n`;
  out += help(
    'pod_cpu_usage_seconds_total',
    'counter',
    '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
  );
  for (const p of pods.values())
    out += `pod_cpu_usage_seconds_total${labels({ namespace: p.namespace, pod: p.pod })} ${p.cpu}${ts}\n`;
  out += help('pod_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the pod in bytes');
  for (const p of pods.values())
    out += `pod_memory_working_set_bytes${labels({ namespace: p.namespace, pod: p.pod })} ${p.mem}${ts}\n`;
  out += help(
    'scrape_error',
    'gauge',
    '[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
  );
  return out;
}

/** Collects the running containers' stats (labelled by the kubelet) and the node's usage, and renders them. */
export async function collectResourceMetrics(
  runtime: RuntimeService,
  nodeUsage: () => Promise<NodeUsage>,
  nowMs: number,
): Promise<string> {
  let scrapeError = 0;
  const points: ContainerPoint[] = [];
  try {
    const [list, stats] = await Promise.all([
      runtime.listContainers({ state: 'running' }),
      runtime.listContainerStats({ state: 'running' }),
    ]);
    const byId = new Map(stats.map((s) => [s.containerId, s]));
    for (const ctr of list) {
      const s = byId.get(ctr.id);
      const pod = ctr.labels[POD_NAME_LABEL];
      const namespace = ctr.labels[POD_NAMESPACE_LABEL];
      const container = ctr.labels[CONTAINER_NAME_LABEL];
      if (!s || !pod || !namespace || !container) continue;
      points.push({
        namespace,
        pod,
        container,
        cpuSeconds: s.cpuUsageCoreNanoSeconds / 1e9,
        memoryBytes: s.memoryWorkingSetBytes,
        startSeconds: ctr.createdAt / 1000,
      });
    }
  } catch {
    scrapeError = 1;
  }
  return `${renderResourceMetrics(await nodeUsage(), points, nowMs)}scrape_error ${scrapeError}\n`;
}
