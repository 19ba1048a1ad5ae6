/**
 * Scheduler and control-plane benchmark, kubemark-style: `npm run bench:scheduler [-- --quick]`.
 * The server (API server + controllers + scheduler) and the hollow nodes run as the built CLI in child processes;
 * this process creates Deployments, watches their pods and probes the API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiClient, loadKubeconfig, R } from '../src/client/index.js';
import { ApiProbe } from './lib/api-probe.js';
import { startHollowNodes, startTugboat, type HollowProcess } from './lib/hollow-process.js';
import { PodTracker, type PodProgress } from './lib/pod-tracker.js';
import { cpuSecondsOf, memoryOf } from './lib/proc.js';
import { startServerProcess, type ServerProcess } from './lib/server-process.js';
import type { LatencySummary } from './lib/stats.js';
import { fmtMiB, fmtMs, fmtPercent, fmtRate, markdownTable } from './lib/table.js';
import { workload, type Workload } from './lib/workloads.js';

const USAGE = `usage: node --import tsx bench/scheduler.ts [--quick] [--scales 1000:10000,5000:30000] [--no-affinity]
  --quick        one small scale (500 nodes, 2,000 pods) and small affinity workloads
  --scales       nodes:pods pairs to run, each on a fresh cluster (default 1000:10000,5000:30000)
  --no-affinity  skip the anti-affinity and topology-spread workloads (run on the first scale)
  --split        run the scheduler and the controller-manager as their own processes
  --profile DIR  write a V8 CPU profile of the control plane and the hollow nodes into DIR (summarize with
                 \`node --import tsx bench/profile-summary.ts DIR/FILE.cpuprofile\`)`;

interface Scale {
  nodes: number;
  pods: number;
}

interface WorkloadResult {
  nodes: number;
  kind: string;
  pods: number;
  progress?: PodProgress;
  /** CPU time of the control-plane processes per pod, ms: unlike pods/s, barely moved by other load. */
  cpuMsPerPod?: number;
  /** The same for the hollow-nodes process and for this process (the pod watch, the API probe). */
  hollowCpuMsPerPod?: number;
  benchCpuMsPerPod?: number;
  /**
   * CPU ms/pod of the control plane and the hollow nodes beyond their idle use over the same time: what the pods
   * themselves cost, as opposed to Lease renewals, node monitoring and metrics scrapes, which run regardless.
   */
  beyondIdleMsPerPod?: { controlPlane: number; hollow: number };
  failed?: string;
}

interface IdleCpu {
  /** Share of one core. */
  controlPlane: number;
  hollow: number;
}

interface ScaleResult {
  nodes: number;
  pods: number;
  registerSeconds?: number;
  /** CPU (share of one core) of the control plane and of the hollow nodes with every node Ready and no pods. */
  idleControlPlaneCpu?: number;
  idleHollowCpu?: number;
  mutating?: LatencySummary;
  reads?: LatencySummary;
  probeErrors?: number;
  serverRss?: number;
  serverPeak?: number;
  hollowRss?: number;
  failed?: string;
}

let split = false;
let profileDir: string | undefined;

function parseArgs(argv: string[]): { scales: Scale[]; affinity: boolean; quick: boolean } {
  let scales: Scale[] = [
    { nodes: 1000, pods: 10_000 },
    { nodes: 5000, pods: 30_000 },
  ];
  let affinity = true;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') {
      quick = true;
      scales = [{ nodes: 500, pods: 2000 }];
    } else if (a === '--no-affinity') affinity = false;
    else if (a === '--split') split = true;
    else if (a === '--profile') profileDir = resolve(argv[++i] ?? '.');
    else if (a === '--scales' || a.startsWith('--scales=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      scales = v.split(',').map((pair) => {
        const [nodes, pods] = pair.split(':').map(Number);
        if (!Number.isInteger(nodes) || !Number.isInteger(pods) || nodes! < 1 || pods! < 1) {
          throw new Error(`--scales takes nodes:pods pairs, not ${JSON.stringify(v)}\n${USAGE}`);
        }
        return { nodes: nodes!, pods: pods! };
      });
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return { scales, affinity, quick };
}

const progress = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
  pollMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * What a cluster of idle nodes costs before any pod exists (Lease renewals, node monitoring, metrics scrapes):
 * the share of the machine the workloads do not get. Measured after a settling pause, before the API probe.
 */
async function idleCpu(controlPlanePids: number[], hollowPid: number, quick: boolean): Promise<IdleCpu> {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const cpu = (pids: number[]): number => pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  await sleep(quick ? 2000 : 5000);
  const windowMs = quick ? 5000 : 10_000;
  const before = { controlPlane: cpu(controlPlanePids), hollow: cpu([hollowPid]) };
  await sleep(windowMs);
  return {
    controlPlane: ((cpu(controlPlanePids) - before.controlPlane) * 1000) / windowMs,
    hollow: ((cpu([hollowPid]) - before.hollow) * 1000) / windowMs,
  };
}

/**
 * Nodes that are Ready and have their pod range. The node IPAM controller assigns ranges after registration
 * (at 5,000 nodes it is still patching nodes some 15 s after they are all Ready): workloads started before it
 * finishes would measure the cluster's start as much as scheduling.
 */
async function readyNodes(client: ApiClient): Promise<number> {
  const list = await client.resource<Node>(R.nodes).listAll('', { limit: 1000 });
  return list.items.filter(
    (n) =>
      n.spec?.podCIDR !== undefined &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

async function runWorkload(
  client: ApiClient,
  w: Workload,
  nodes: number,
  controlPlanePids: number[],
  hollowPid: number,
  idle: IdleCpu,
): Promise<WorkloadResult> {
  const result: WorkloadResult = { nodes, kind: w.kind, pods: w.pods };
  const startedMs = Date.now();
  const cpu = (): number => controlPlanePids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  const benchCpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const cpuBefore = cpu();
  const hollowBefore = cpuSecondsOf(hollowPid) ?? 0;
  const benchBefore = benchCpu();
  await client.resource(R.namespaces).create({ metadata: { name: w.namespace } });
  const tracker = new PodTracker(client, w.namespace);
  await tracker.start();
  try {
    progress(`${nodes} nodes: ${w.kind}: creating ${w.deployments.length} Deployment(s), ${w.pods} pods`);
    for (const d of w.deployments) await client.resource<Deployment>(R.deployments).create(d);
    const budgetMs = 120_000 + w.pods * 20;
    await waitUntil(`${w.kind}: all ${w.pods} pods bound`, budgetMs, () => tracker.bound >= w.pods);
    await waitUntil(`${w.kind}: all ${w.pods} pods Running`, budgetMs, () => tracker.running >= w.pods);
    result.cpuMsPerPod = ((cpu() - cpuBefore) * 1000) / w.pods;
    result.hollowCpuMsPerPod = (((cpuSecondsOf(hollowPid) ?? 0) - hollowBefore) * 1000) / w.pods;
    result.benchCpuMsPerPod = ((benchCpu() - benchBefore) * 1000) / w.pods;
    const idleMsPerPod = (share: number): number => (share * (Date.now() - startedMs)) / w.pods;
    result.beyondIdleMsPerPod = {
      controlPlane: result.cpuMsPerPod - idleMsPerPod(idle.controlPlane),
      hollow: result.hollowCpuMsPerPod - idleMsPerPod(idle.hollow),
    };
  } catch (err) {
    result.failed = err instanceof Error ? err.message : String(err);
  } finally {
    tracker.stop();
    result.progress = tracker.summary();
  }
  return result;
}

async function runScale(
  scale: Scale,
  affinity: boolean,
  quick: boolean,
  workloads: WorkloadResult[],
): Promise<ScaleResult> {
  const result: ScaleResult = { nodes: scale.nodes, pods: scale.pods };
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-bench-sched-'));
  let server: ServerProcess | undefined;
  let hollow: HollowProcess | undefined;
  const components: HollowProcess[] = [];
  let client: ApiClient | undefined;
  try {
    progress(`starting tugboat server`);
    const dataDir = join(dir, 'data');
    server = await startServerProcess({
      dataDir,
      datastoreEndpoint: `sqlite://${join(dir, 'db', 'state.db')}`,
      // A pod range with a /24 for each of thousands of nodes, as kubemark clusters have.
      extraArgs: [
        '--cluster-cidr',
        '100.64.0.0/10',
        ...(split ? ['--disable-scheduler', '--disable-controller-manager'] : []),
      ],
      ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    });
    const kubeconfig = join(dataDir, 'kubeconfig.yaml');
    if (split) {
      for (const component of ['scheduler', 'controller-manager']) {
        const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
        components.push(startTugboat([component, '--kubeconfig', kubeconfig], nodeArgs));
      }
    }
    client = new ApiClient({ ...(await loadKubeconfig(kubeconfig)), userAgent: 'tugboat-bench' });
    const c = client;
    progress(`starting ${scale.nodes} hollow nodes`);
    const registerStart = Date.now();
    hollow = startHollowNodes({
      kubeconfig,
      count: scale.nodes,
      ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
    });
    await waitUntil(
      `${scale.nodes} nodes Ready with a pod range`,
      300_000,
      async () => (await readyNodes(c)) >= scale.nodes,
      // Listing thousands of nodes is work for the server too: not more often than each second.
      1000,
    );
    result.registerSeconds = (Date.now() - registerStart) / 1000;
    const idle = await idleCpu([server.pid, ...components.map((c) => c.pid)], hollow.pid, quick);
    result.idleControlPlaneCpu = idle.controlPlane;
    result.idleHollowCpu = idle.hollow;

    await client.resource(R.namespaces).create({ metadata: { name: 'bench-probe' } });
    const probe = new ApiProbe(client, 'bench-probe');
    probe.start();
    const plan: Workload[] = [];
    if (affinity) {
      plan.push(
        workload('anti-affinity', 'bench-anti', Math.min(quick ? 200 : 1000, Math.floor(scale.nodes / 2))),
      );
      plan.push(workload('spread', 'bench-spread', Math.min(quick ? 500 : 2000, scale.nodes * 2)));
    }
    plan.push(workload('plain', 'bench-plain', scale.pods));
    const controlPlanePids = [server.pid, ...components.map((c) => c.pid)];
    for (const w of plan)
      workloads.push(await runWorkload(client, w, scale.nodes, controlPlanePids, hollow.pid, idle));
    const api = await probe.stop();
    result.mutating = api.mutating;
    result.reads = api.reads;
    result.probeErrors = api.errors;
    const mem = memoryOf(server.pid);
    result.serverRss = mem?.rss;
    result.serverPeak = mem?.peak;
    result.hollowRss = memoryOf(hollow.pid)?.rss;
  } catch (err) {
    result.failed = err instanceof Error ? err.message : String(err);
    if (server) result.failed += `\nserver output:\n${server.output.toString().slice(-1500)}`;
    if (hollow) result.failed += `\nhollow-nodes output:\n${hollow.output.toString().slice(-1500)}`;
  } finally {
    client?.close();
    progress('stopping');
    await hollow?.stop();
    for (const c of components) await c.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

function report(scales: ScaleResult[], workloads: WorkloadResult[]): string {
  const out: string[] = [];
  out.push(
    markdownTable(
      [
        'nodes',
        'workload',
        'pods',
        'created pods/s',
        'bound pods/s',
        'Running pods/s',
        'schedule p50 / p99 ms',
        'to Running p50 / p99 ms',
        'CPU ms/pod: control plane / hollow nodes / bench',
        'beyond idle ms/pod: control plane / hollow',
      ],
      workloads.map((w) => {
        const p = w.progress;
        return [
          w.nodes.toLocaleString('en-US'),
          w.kind + (w.failed ? ' (incomplete)' : ''),
          p ? `${p.bound.toLocaleString('en-US')}/${w.pods.toLocaleString('en-US')}` : '-',
          p ? fmtRate(p.createdPerSecond) : '-',
          p ? fmtRate(p.boundPerSecond) : '-',
          p ? fmtRate(p.runningPerSecond) : '-',
          p ? `${fmtMs(p.scheduling.p50)} / ${fmtMs(p.scheduling.p99)}` : '-',
          p ? `${fmtMs(p.startup.p50)} / ${fmtMs(p.startup.p99)}` : '-',
          [w.cpuMsPerPod, w.hollowCpuMsPerPod, w.benchCpuMsPerPod]
            .map((v) => (v === undefined ? '-' : v.toFixed(1)))
            .join(' / '),
          w.beyondIdleMsPerPod
            ? `${w.beyondIdleMsPerPod.controlPlane.toFixed(1)} / ${w.beyondIdleMsPerPod.hollow.toFixed(1)}`
            : '-',
        ];
      }),
    ),
  );
  out.push('');
  out.push(
    markdownTable(
      [
        'nodes / pods',
        'nodes Ready (with pod range) after',
        'idle CPU: control plane / hollow nodes',
        'API mutating p50 / p99 / max ms',
        'API read p99 ms',
        'control-plane RSS (peak)',
        'hollow-nodes RSS',
      ],
      scales.map((s) => [
        `${s.nodes.toLocaleString('en-US')} / ${s.pods.toLocaleString('en-US')}`,
        s.registerSeconds === undefined ? '-' : `${s.registerSeconds.toFixed(1)} s`,
        s.idleControlPlaneCpu === undefined || s.idleHollowCpu === undefined
          ? '-'
          : `${fmtPercent(s.idleControlPlaneCpu)} / ${fmtPercent(s.idleHollowCpu)}`,
        s.mutating ? `${fmtMs(s.mutating.p50)} / ${fmtMs(s.mutating.p99)} / ${fmtMs(s.mutating.max)}` : '-',
        s.reads ? fmtMs(s.reads.p99) : '-',
        `${fmtMiB(s.serverRss)} (${fmtMiB(s.serverPeak)})`,
        fmtMiB(s.hollowRss),
      ]),
    ),
  );
  const problems = [
    ...workloads.filter((w) => w.failed).map((w) => `- ${w.nodes} nodes, ${w.kind}: ${w.failed}`),
    ...scales.filter((s) => s.failed).map((s) => `- ${s.nodes} nodes: ${s.failed}`),
    ...scales
      .filter((s) => s.probeErrors)
      .map((s) => `- ${s.nodes} nodes: ${s.probeErrors} API probe errors`),
  ];
  if (problems.length > 0) out.push('', 'Problems:', ...problems);
  out.push(
    '',
    '- bound pods/s: pods bound divided by the time from the first pod seen to the last pod bound (creation through',
    '  Deployment → ReplicaSet → Pod is part of it); created pods/s: the same up to the last pod seen, so when the two',
    '  are close the scheduler kept up with the controllers. Latencies are per pod, from first seen on a watch to',
    '  bound / Running.',
    '- Control plane = one `tugboat server` process (API server and store on the main thread, controllers and',
    '  scheduler in a worker thread), plus the scheduler and controller-manager processes with --split; hollow nodes',
    "  run in another process; all share the machine. CPU ms/pod = each one's CPU time during the workload / pods;",
    '  "bench" is this process (its pod watch and the API probe). On two cores, 1,000 pods/s leaves 2 ms for all three.',
    '- idle CPU: share of one core each used over a quiet window once every node was Ready, before any pod (Lease',
    '  renewals every 10 s per node, node monitoring, metrics scrapes); the workloads share what is left.',
    '  "beyond idle" takes that rate over the workload\'s duration off its CPU ms/pod: what the pods themselves cost.',
  );
  return out.join('\n');
}

async function main(): Promise<void> {
  const { scales, affinity, quick } = parseArgs(process.argv.slice(2));
  const scaleResults: ScaleResult[] = [];
  const workloads: WorkloadResult[] = [];
  for (const [i, scale] of scales.entries()) {
    scaleResults.push(await runScale(scale, affinity && i === 0, quick, workloads));
  }
  console.log(report(scaleResults, workloads));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
