/**
 * Pod start latency on one real node: `npm run bench:podstart [-- --quick] [--runtimes runc,crun]`.
 * The built `tugboat server` runs with its agent (oci runtime, real containers from the loopback test registry);
 * this process creates pods through the API and times create → Running as seen on a watch, with the image
 * already present. Needs root, runc/crun, conmon, the CNI plugins and TUGBOAT_TEST_REGISTRY, like the agent e2e
 * tests, and not at the same time as them (they share the tugboat0 bridge).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiClient, loadKubeconfig, R } from '../src/client/index.js';
import { agentMissing, OciState, removeHostLeftovers, startAgentServer } from '../test/helpers/agent-host.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/kubectl.js';
import { waitFor } from '../src/util/wait.js';
import { startHollowNodes } from './lib/hollow-process.js';
import { cpuSecondsOf, memoryOf } from './lib/proc.js';
import { summarize, type LatencySummary } from './lib/stats.js';
import { fmtMiB, fmtMs, markdownTable } from './lib/table.js';

const USAGE = `usage: node --import tsx bench/podstart.ts [--quick] [--runtimes runc,crun]
  --quick      1 pod × 5, 10 at once × 1, 50 at once × 1 (default 1 × 20, 10 × 3, 50 × 2)
  --runtimes   OCI binaries to compare (default runc,crun; one that does not work here is reported, not run)
  --rounds     SIZExREPETITIONS list, e.g. 50x1 (replaces the defaults)
  --profile    write a V8 CPU profile of the server into DIR (summarize with bench/profile-summary.ts)`;

type OciName = 'runc' | 'crun';

let profileDir: string | undefined;

interface Round {
  /** Pods created at once. */
  size: number;
  repetitions: number;
}

interface RoundResult {
  size: number;
  repetitions: number;
  perPod: LatencySummary;
  /** Create of the first pod → the last one Running, worst repetition. */
  allRunningMs: number;
  /** CPU time the server process (API server, controllers, scheduler, agent) used per pod started, ms. */
  serverCpuMsPerPod: number;
}

interface RuntimeResult {
  runtime: OciName;
  version?: string;
  skipped?: string;
  rounds: RoundResult[];
  rssIdle?: number;
  rssAt50?: number;
  rssAt50Burst?: number;
  conmonRssAt50?: number;
}

function parseArgs(argv: string[]): { rounds: Round[]; runtimes: OciName[] } {
  let quick = false;
  let runtimes: OciName[] = ['runc', 'crun'];
  let custom: Round[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--runtimes' || a.startsWith('--runtimes=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      runtimes = v.split(',').map((r) => {
        if (r !== 'runc' && r !== 'crun') throw new Error(`unknown runtime ${JSON.stringify(r)}\n${USAGE}`);
        return r;
      });
    } else if (a === '--profile') profileDir = resolve(argv[++i] ?? '.');
    else if (a === '--rounds' || a.startsWith('--rounds=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      custom = v.split(',').map((pair) => {
        const [size, repetitions] = pair.split('x').map(Number);
        if (!Number.isInteger(size) || !Number.isInteger(repetitions) || size! < 1 || repetitions! < 1)
          throw new Error(`--rounds takes SIZExREPETITIONS pairs, not ${JSON.stringify(v)}\n${USAGE}`);
        return { size: size!, repetitions: repetitions! };
      });
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (custom) return { rounds: custom, runtimes };
  const rounds = quick
    ? [
        { size: 1, repetitions: 5 },
        { size: 10, repetitions: 1 },
        { size: 50, repetitions: 1 },
      ]
    : [
        { size: 1, repetitions: 20 },
        { size: 10, repetitions: 3 },
        { size: 50, repetitions: 2 },
      ];
  return { rounds, runtimes };
}

/** How long 50 running pods are left alone before their steady-state RSS is read. */
const SETTLE_MS = 10_000;

const progress = (msg: string): void => void process.stderr.write(`# ${msg}\n`);

/** Watches the pods of a namespace and resolves waiters when a named pod is Running or gone. */
class PodWatch {
  private readonly runningAt = new Map<string, number>();
  private readonly gone = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private stream: { close(): void } | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const pods = this.client.resource<Pod>(R.pods);
    const list = await pods.list(this.namespace, { limit: 1 });
    this.stream = await pods.watch(
      this.namespace,
      { resourceVersion: list.resourceVersion },
      (ev) => {
        const name = ev.object.metadata?.name ?? '';
        if (ev.type === 'DELETED') this.gone.add(name);
        else if (ev.object.status?.phase === 'Running' && !this.runningAt.has(name))
          this.runningAt.set(name, performance.now());
        for (const w of [...this.waiters]) w();
      },
      () => {},
    );
  }

  stop(): void {
    this.stream?.close();
  }

  running(name: string): number | undefined {
    return this.runningAt.get(name);
  }

  async until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  forget(names: string[]): void {
    for (const n of names) {
      this.runningAt.delete(n);
      this.gone.delete(n);
    }
  }

  isGone(name: string): boolean {
    return this.gone.has(name);
  }
}

function podObject(name: string, image: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { bench: 'podstart' } },
    spec: {
      // Not 0: a pod with no grace is removed from the API at once, before the agent has torn it down.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image, imagePullPolicy: 'IfNotPresent' }],
    },
  };
}

/** Creates n pods at once; resolves with each pod's create → Running time and the whole batch's time. */
async function createBatch(
  client: ApiClient,
  watch: PodWatch,
  image: string,
  names: string[],
): Promise<{ latencies: number[]; allMs: number }> {
  const pods = client.resource<Pod>(R.pods);
  const sent = new Map<string, number>();
  const t0 = performance.now();
  await Promise.all(
    names.map((name) => {
      sent.set(name, performance.now());
      return pods.create(podObject(name, image));
    }),
  );
  await watch.until(
    `${names.length} pods Running`,
    () => names.every((n) => watch.running(n) !== undefined),
    120_000,
  );
  const latencies = names.map((n) => watch.running(n)! - sent.get(n)!);
  const allMs = Math.max(...names.map((n) => watch.running(n)!)) - t0;
  return { latencies, allMs };
}

async function deleteBatch(client: ApiClient, watch: PodWatch, names: string[]): Promise<void> {
  const pods = client.resource<Pod>(R.pods);
  await Promise.all(names.map((n) => pods.delete('default', n)));
  await watch.until(`${names.length} pods deleted`, () => names.every((n) => watch.isGone(n)), 120_000);
  watch.forget(names);
}

function conmonRss(oci: OciState): number {
  let total = 0;
  for (const c of oci.containers()) if (c.conmon) total += memoryOf(c.conmon.pid)?.rss ?? 0;
  return total;
}

interface RssSamples {
  rssAt50?: number;
  rssAt50Burst?: number;
}

/**
 * Runs the rounds (create a batch, wait until all Running, delete) and samples the server's RSS at 50 pods: just
 * Running, and after SETTLE_MS of steady state (relists, probes, status), past the burst's garbage.
 */
async function runRounds(
  client: ApiClient,
  watch: PodWatch,
  image: string,
  rounds: Round[],
  serverPid: number,
  rss: RssSamples,
  atFifty: () => void = () => {},
): Promise<RoundResult[]> {
  const out: RoundResult[] = [];
  let seq = 0;
  for (const round of rounds) {
    const latencies: number[] = [];
    let worst = 0;
    let cpuMs = 0;
    for (let rep = 0; rep < round.repetitions; rep++) {
      const names = Array.from({ length: round.size }, () => `p${round.size}-${seq++}`);
      const cpuBefore = cpuSecondsOf(serverPid) ?? 0;
      const r = await createBatch(client, watch, image, names);
      cpuMs += ((cpuSecondsOf(serverPid) ?? 0) - cpuBefore) * 1000;
      latencies.push(...r.latencies);
      worst = Math.max(worst, r.allMs);
      if (round.size === 50) {
        rss.rssAt50Burst = Math.max(rss.rssAt50Burst ?? 0, memoryOf(serverPid)?.rss ?? 0);
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        rss.rssAt50 = Math.max(rss.rssAt50 ?? 0, memoryOf(serverPid)?.rss ?? 0);
        atFifty();
      }
      await deleteBatch(client, watch, names);
    }
    out.push({
      ...round,
      perPod: summarize(latencies),
      allRunningMs: worst,
      serverCpuMsPerPod: cpuMs / latencies.length,
    });
  }
  return out;
}

async function benchRuntime(runtime: OciName, rounds: Round[], image: string): Promise<RuntimeResult> {
  const result: RuntimeResult = { runtime, rounds: [] };
  const root = mkdtempSync(join(tmpdir(), `tugboat-bench-podstart-${runtime}-`));
  const dataDir = join(root, 'data');
  const node = `bench-podstart-${process.pid}-${runtime}`;
  let server: ServerProcess | undefined;
  let client: ApiClient | undefined;
  let watch: PodWatch | undefined;
  try {
    progress(`${runtime}: starting tugboat server with its agent`);
    try {
      server = await startAgentServer(node, {
        dataDir,
        extraArgs: ['--container-runtime', 'oci'],
        env: { TUGBOAT_OCI_RUNTIME: runtime },
        ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
      });
    } catch (err) {
      const why = /oci runtime is not usable here: ([^\n]*)/.exec(String(err))?.[1];
      result.skipped = why ?? (err instanceof Error ? err.message.split('\n')[0] : String(err));
      return result;
    }
    client = new ApiClient({ ...(await loadKubeconfig(server.kubeconfig)), userAgent: 'tugboat-bench' });
    const nodeObj = await client.resource(R.nodes).get('', node);
    const v = (nodeObj as { status?: { nodeInfo?: { containerRuntimeVersion?: string } } }).status?.nodeInfo
      ?.containerRuntimeVersion;
    if (v) result.version = v;
    watch = new PodWatch(client, 'default');
    await watch.start();
    const oci = new OciState(dataDir);

    progress(`${runtime}: pulling ${image}`);
    await createBatch(client, watch, image, ['prepull']);
    await deleteBatch(client, watch, ['prepull']);
    result.rssIdle = memoryOf(server.pid)?.rss;

    result.rounds = await runRounds(client, watch, image, rounds, server.pid, result, () => {
      result.conmonRssAt50 = conmonRss(oci);
    });
    for (const r of result.rounds) {
      progress(
        `${runtime}: ${r.size} at once × ${r.repetitions}: p50 ${fmtMs(r.perPod.p50)} ms, p99 ${fmtMs(r.perPod.p99)} ms`,
      );
    }
    return result;
  } finally {
    watch?.stop();
    if (server) {
      await server.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=120s'], {
        timeoutMs: 150_000,
      });
      // The agent keeps containers across a stop: only stop it once it has removed every one.
      const oci = new OciState(dataDir);
      await waitFor(() => oci.sandboxes().length === 0 && oci.containers().length === 0, {
        timeoutMs: 120_000,
        message: 'the agent removed every sandbox and container',
      }).catch((err: unknown) => progress(String(err)));
      await server.stop();
    }
    client?.close();
    removeHostLeftovers();
    rmSync(root, { recursive: true, force: true });
  }
}

interface ControlPlaneRss extends RssSamples {
  idle?: number;
}

/**
 * The agent shares its process with the control plane, whose own memory grows with the pods it holds (objects,
 * events, watch caches). To tell the agent's share apart, the same rounds run against a server without its agent,
 * with the pods run by one hollow node in another process: the difference at 50 running pods is the agent's.
 */
async function controlPlaneWithHollowPods(rounds: Round[], image: string): Promise<ControlPlaneRss> {
  const s = await startServerProcess({ agent: false });
  const result: ControlPlaneRss = {};
  let client: ApiClient | undefined;
  let watch: PodWatch | undefined;
  const hollow = startHollowNodes({
    kubeconfig: s.kubeconfig,
    count: 1,
    namePrefix: `bench-podstart-hollow-${process.pid}-`,
  });
  try {
    client = new ApiClient({ ...(await loadKubeconfig(s.kubeconfig)), userAgent: 'tugboat-bench' });
    watch = new PodWatch(client, 'default');
    await watch.start();
    await createBatch(client, watch, image, ['prepull']);
    await deleteBatch(client, watch, ['prepull']);
    result.idle = memoryOf(s.pid)?.rss;
    await runRounds(client, watch, image, rounds, s.pid, result);
    return result;
  } finally {
    watch?.stop();
    client?.close();
    await hollow.stop();
    await s.stop();
  }
}

function goal(ok: boolean | undefined): string {
  return ok === undefined ? '-' : ok ? 'met' : 'missed';
}

async function main(): Promise<void> {
  const { rounds, runtimes } = parseArgs(process.argv.slice(2));
  const missing = agentMissing();
  if (missing) {
    console.log(`pod-start benchmark skipped: ${missing}`);
    return;
  }
  const image = `${process.env.TUGBOAT_TEST_REGISTRY}/tugboat-test/busybox:latest`;
  const results: RuntimeResult[] = [];
  for (const rt of runtimes) results.push(await benchRuntime(rt, rounds, image));
  progress("the same rounds without the agent, the pods on a hollow node, for the control plane's share");
  const cp = await controlPlaneWithHollowPods(rounds, image);

  console.log('\n## Pod start: create → Running on a watch, image present, one node\n');
  const rows: string[][] = [];
  for (const r of results) {
    if (r.skipped) {
      rows.push([r.runtime, '-', '-', '-', '-', '-', '-', '-', `not run: ${r.skipped}`]);
      continue;
    }
    for (const round of r.rounds) {
      rows.push([
        r.version ?? r.runtime,
        String(round.size),
        String(round.repetitions),
        String(round.perPod.count),
        fmtMs(round.perPod.p50),
        fmtMs(round.perPod.p99),
        fmtMs(round.perPod.max),
        fmtMs(round.allRunningMs),
        fmtMs(round.serverCpuMsPerPod),
      ]);
    }
  }
  console.log(
    markdownTable(
      [
        'runtime',
        'pods at once',
        'rounds',
        'samples',
        'p50 ms',
        'p99 ms',
        'max ms',
        'all Running ms (worst round)',
        'server CPU ms / pod',
      ],
      rows,
    ),
  );

  console.log('\n## Memory (the agent runs inside `tugboat server`: RSS is the whole process)\n');
  const memRows = results
    .filter((r) => !r.skipped)
    .map((r) => [
      `with the agent (${r.runtime})`,
      fmtMiB(r.rssIdle),
      fmtMiB(r.rssAt50Burst),
      fmtMiB(r.rssAt50),
      fmtMiB(r.conmonRssAt50),
    ]);
  memRows.push([
    'without the agent, pods on a hollow node',
    fmtMiB(cp.idle),
    fmtMiB(cp.rssAt50Burst),
    fmtMiB(cp.rssAt50),
    '-',
  ]);
  console.log(
    markdownTable(
      [
        'server',
        'RSS, 0 pods',
        'RSS, 50 pods just Running',
        `RSS, 50 pods after ${SETTLE_MS / 1000} s`,
        'conmon RSS, 50 pods (sum)',
      ],
      memRows,
    ),
  );

  console.log('\n## Goals\n');
  const goalRows: string[][] = [];
  for (const r of results.filter((x) => !x.skipped)) {
    const one = r.rounds.find((x) => x.size === 1)?.perPod;
    const fifty = r.rounds.find((x) => x.size === 50);
    const agentShare =
      r.rssAt50 !== undefined && cp.rssAt50 !== undefined ? r.rssAt50 - cp.rssAt50 : undefined;
    goalRows.push(
      [r.runtime, 'one pod p50 ≤ 300 ms', one ? `${fmtMs(one.p50)} ms` : '-', goal(one && one.p50 <= 300)],
      [r.runtime, 'one pod p99 ≤ 1 s', one ? `${fmtMs(one.p99)} ms` : '-', goal(one && one.p99 <= 1000)],
      [
        r.runtime,
        '50 pods all Running ≤ 10 s',
        fifty ? `${fmtMs(fifty.allRunningMs)} ms` : '-',
        goal(fifty && fifty.allRunningMs <= 10_000),
      ],
      [
        r.runtime,
        'agent RSS ≤ 60 MB at 50 pods (server RSS − the same without the agent, pods on a hollow node)',
        fmtMiB(agentShare),
        goal(agentShare === undefined ? undefined : agentShare <= 60e6),
      ],
    );
  }
  console.log(markdownTable(['runtime', 'goal', 'measured', ''], goalRows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
