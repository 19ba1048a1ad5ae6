/**
 * API server benchmark: sqlite and etcd backends side by side. Run with `npm run bench:api [-- --quick]`.
 * The server runs as the built CLI in a child process; this process is only the load generator.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hotSpots, type CpuProfile } from './lib/cpu-profile.js';
import { SourcePositions } from './lib/source-maps.js';
import { prepareListNamespace, runCrud, runCrudWithWrk, type MeasuredPhase } from './lib/crud.js';
import { RemoteProfiler } from './lib/inspector-profiler.js';
import { etcdAvailability, startEtcd, type EtcdProcess } from './lib/etcd-process.js';
import { memoryOf, memoryOfTree } from './lib/proc.js';
import { percentile } from './lib/stats.js';
import {
  cpuTable,
  crudTable,
  errorNotes,
  goalsTable,
  IDLE_FROM_S,
  IDLE_WINDOW_S,
  memoryTable,
  watchTable,
  type BackendRun,
} from './lib/report.js';
import { startServerProcess, type ServerProcess } from './lib/server-process.js';
import { fmtMs, fmtPercent, fmtRate, markdownTable } from './lib/table.js';
import { runWatchBench } from './lib/watch.js';
import { measureBaseline } from './lib/baseline.js';
import { ApiClient } from './lib/http-client.js';
import { wrkAvailability } from './lib/wrk.js';

const USAGE = `usage: node --import tsx bench/api.ts [--quick] [--profile] [--backends sqlite,etcd]
                                                     [--clients 1,16,64] [--api-workers N]
                                                     [--encryption aescbc|aesgcm|secretbox]
                                                     [--audit Metadata|Request|RequestResponse]
  --quick      short phases and a smaller watch burst (about a minute)
  --profile    profile each server (node --cpu-prof for the whole run, plus the inspector for each
               phase at the highest client count and for the watch burst) and print the hot spots;
               profiling slows the server, so take the throughput numbers from a run without it
  --backends   which stores to measure (default: sqlite,etcd)
  --clients    concurrent client counts for the request phases (default: 1,16,64)
  --no-wrk     skip the phases with wrk as the load generator (they run when wrk is installed)
  --api-workers  the server's --api-workers (default 0); the CPU and memory figures include its worker
               processes
  --encryption the server stores ConfigMaps and Secrets encrypted with this provider
               (--encryption-provider-config), to measure what encryption at rest costs
  --audit      the server audits every request at this level into a log file in the run's directory
               (--audit-policy-file, --audit-log-path), to measure what auditing costs`;

const AUDIT_LEVELS = ['Metadata', 'Request', 'RequestResponse'] as const;
type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** An audit policy logging everything at `level`, and the log's path, both in `dir`. */
function auditArgs(dir: string, level: AuditLevel): string[] {
  const policy = join(dir, 'audit-policy.yaml');
  writeFileSync(policy, `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: ${level}\n`);
  return ['--audit-policy-file', policy, '--audit-log-path', join(dir, 'audit.log')];
}

const ENCRYPTION_PROVIDERS = ['aescbc', 'aesgcm', 'secretbox'] as const;
type EncryptionProvider = (typeof ENCRYPTION_PROVIDERS)[number];

/** An EncryptionConfiguration for ConfigMaps and Secrets with a random key of `provider`, written into `dir`. */
function writeEncryptionConfig(dir: string, provider: EncryptionProvider): string {
  const path = join(dir, 'encryption.json');
  const key = { name: 'bench', secret: randomBytes(32).toString('base64') };
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['configmaps', 'secrets'], providers: [{ [provider]: { keys: [key] } }] }],
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

interface Settings {
  quick: boolean;
  profile: boolean;
  backends: ('sqlite' | 'etcd')[];
  clientCounts: number[];
  /** Also generate create/get/list load with wrk, when it is installed. */
  wrk: boolean;
  /** The server's --api-workers, when given. */
  apiWorkers?: string;
  /** Encrypt the ConfigMaps the phases write (and Secrets) with this provider. */
  encryption?: EncryptionProvider;
  /** Audit every request at this level. */
  audit?: AuditLevel;
  phaseMs: number;
  maxOpsPerPhase: number;
  listSize: number;
  watchers: number;
  watchWrites: number;
  watchWriteConcurrency: number;
  watchWarmupWrites: number;
}

function parseArgs(argv: string[]): Settings {
  let quick = false;
  let profile = false;
  let backends: Settings['backends'] = ['sqlite', 'etcd'];
  let clientCounts = [1, 16, 64];
  let wrk = true;
  let apiWorkers: string | undefined;
  let encryption: EncryptionProvider | undefined;
  let audit: AuditLevel | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--no-wrk') wrk = false;
    else if (a === '--profile') profile = true;
    else if (a === '--backends' || a.startsWith('--backends=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      const list = v.split(',').filter(Boolean);
      if (list.length === 0 || list.some((b) => b !== 'sqlite' && b !== 'etcd')) {
        throw new Error(`--backends takes sqlite and/or etcd, not ${JSON.stringify(v)}\n${USAGE}`);
      }
      backends = list as Settings['backends'];
    } else if (a === '--clients' || a.startsWith('--clients=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      clientCounts = v.split(',').map(Number);
      if (clientCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) {
        throw new Error(`--clients takes counts from 1 to 1000, not ${JSON.stringify(v)}\n${USAGE}`);
      }
    } else if (a === '--api-workers' || a.startsWith('--api-workers=')) {
      apiWorkers = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
    } else if (a === '--encryption' || a.startsWith('--encryption=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      if (!ENCRYPTION_PROVIDERS.includes(v as EncryptionProvider)) {
        throw new Error(
          `--encryption takes ${ENCRYPTION_PROVIDERS.join(', ')}, not ${JSON.stringify(v)}\n${USAGE}`,
        );
      }
      encryption = v as EncryptionProvider;
    } else if (a === '--audit' || a.startsWith('--audit=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      if (!AUDIT_LEVELS.includes(v as AuditLevel)) {
        throw new Error(`--audit takes ${AUDIT_LEVELS.join(', ')}, not ${JSON.stringify(v)}\n${USAGE}`);
      }
      audit = v as AuditLevel;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return {
    quick,
    profile,
    backends,
    clientCounts,
    wrk,
    ...(apiWorkers === undefined ? {} : { apiWorkers }),
    ...(encryption === undefined ? {} : { encryption }),
    ...(audit === undefined ? {} : { audit }),
    phaseMs: quick ? 1000 : 4000,
    maxOpsPerPhase: 200_000,
    listSize: 1000,
    watchers: 1000,
    watchWrites: quick ? 30 : 200,
    watchWriteConcurrency: 8,
    watchWarmupWrites: quick ? 10 : 50,
  };
}

const progress = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

/** Children and temp dirs to clean up, also on Ctrl-C. */
const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      progress(`cleanup: ${String(err)}`);
    }
  }
}

async function runBackend(backend: 'sqlite' | 'etcd', s: Settings): Promise<BackendRun> {
  const run: BackendRun = { backend, phases: [] };
  let etcdVersion = '';
  if (backend === 'etcd') {
    const avail = etcdAvailability();
    if (!avail.ok) return { ...run, skipped: avail.reason };
    etcdVersion = avail.version;
  }
  const dir = mkdtempSync(join(tmpdir(), `tugboat-bench-${backend}-`));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  cleanups.push(removeDir);
  let etcd: EtcdProcess | undefined;
  let server: ServerProcess | undefined;
  let profiler: RemoteProfiler | undefined;
  try {
    let endpoint = `sqlite://${join(dir, 'db', 'state.db')}`;
    if (backend === 'etcd') {
      progress(`starting etcd ${etcdVersion}`);
      etcd = await startEtcd(join(dir, 'etcd'), etcdVersion);
      cleanups.push(() => etcd?.stop());
      endpoint = `etcd://${etcd.clientHostPort}`;
      run.detail = `etcd ${etcdVersion}, one member, own process`;
    } else {
      run.detail = 'embedded SQLite (WAL) in the data dir';
    }
    if (s.encryption) run.detail += `; ConfigMaps and Secrets encrypted at rest (${s.encryption})`;
    if (s.audit) run.detail += `; every request audited at ${s.audit} into a log file`;
    const profileDir = s.profile ? join(dir, 'profile') : undefined;
    if (profileDir) mkdirSync(profileDir);
    progress(`starting tugboat server (${backend})`);
    server = await startServerProcess({
      dataDir: join(dir, 'data'),
      datastoreEndpoint: endpoint,
      ...(profileDir ? { cpuProfileDir: profileDir, inspect: true } : {}),
      extraArgs: [
        ...(s.apiWorkers === undefined ? [] : ['--api-workers', s.apiWorkers]),
        ...(s.encryption ? ['--encryption-provider-config', writeEncryptionConfig(dir, s.encryption)] : []),
        ...(s.audit ? auditArgs(dir, s.audit) : []),
      ],
    });
    if (s.profile && server.inspectorUrl) {
      profiler = await RemoteProfiler.connect(server.inspectorUrl);
      cleanups.push(() => profiler?.close());
    }
    cleanups.push(() => server?.stop());
    // Start-up (bootstrap objects, lazy imports, first GCs) is over after about 3 s, but V8 returns the pages it
    // no longer needs only when its memory reducer runs, about 8 s after the last activity.
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    await sleep(3000);
    run.startRss = memoryOfTree(server.pid)?.rss;
    await sleep((IDLE_FROM_S - 3) * 1000);
    progress(`reading the idle server's RSS for ${IDLE_WINDOW_S} s`);
    const idle: number[] = [];
    for (let i = 0; i < IDLE_WINDOW_S; i++) {
      const rss = memoryOfTree(server.pid)?.rss;
      if (rss !== undefined) idle.push(rss);
      if (i < IDLE_WINDOW_S - 1) await sleep(1000);
    }
    run.idleRssFirst = idle[0];
    if (idle.length)
      run.idleRss = percentile(
        idle.toSorted((a, b) => a - b),
        50,
      );

    progress(`warming up and filling a namespace with ${s.listSize} ConfigMaps`);
    await runCrud(8, 'bench-warmup', {
      target: server.target,
      serverPid: server.pid,
      limits: { durationMs: s.quick ? 300 : 1000, maxOps: 2000 },
      listNamespace: 'default',
    });
    await prepareListNamespace(server.target, 'bench-list', s.listSize);

    for (const clients of s.clientCounts) {
      progress(`${backend}: create/get/list/update with ${clients} client(s), ${s.phaseMs} ms each`);
      const phases: MeasuredPhase[] = await runCrud(clients, `bench-c${clients}`, {
        target: server.target,
        serverPid: server.pid,
        ...(etcd ? { storePid: etcd.pid } : {}),
        limits: { durationMs: s.phaseMs, maxOps: s.maxOpsPerPhase },
        listNamespace: 'bench-list',
        ...(profiler && clients === Math.max(...s.clientCounts) ? { profiler } : {}),
      });
      run.phases.push(...phases);
    }
    if (s.wrk && wrkAvailability().ok) {
      run.wrkPhases = [];
      for (const clients of s.clientCounts) {
        progress(`${backend}: create/get/list from wrk with ${clients} connection(s), ${s.phaseMs} ms each`);
        run.wrkPhases.push(
          ...(await runCrudWithWrk(clients, `bench-wrk-c${clients}`, {
            target: server.target,
            serverPid: server.pid,
            ...(etcd ? { storePid: etcd.pid } : {}),
            limits: { durationMs: s.phaseMs, maxOps: s.maxOpsPerPhase },
            listNamespace: 'bench-list',
            listSize: s.listSize,
          })),
        );
      }
    }

    if (backend === 'sqlite') {
      const clients = Math.max(...s.clientCounts);
      progress(`ceiling: a bare Node HTTPS server answering gets, ${clients} clients`);
      const one = new ApiClient(server.target, 1);
      const sample = await one
        .request('GET', '/api/v1/namespaces/bench-list/configmaps/item-0')
        .finally(() => one.close());
      run.baseline = await measureBaseline({
        target: server.target,
        tlsDir: join(dir, 'data', 'server', 'tls'),
        body: sample.body,
        clients,
        limits: { durationMs: s.phaseMs, maxOps: s.maxOpsPerPhase },
      });
    }

    progress(`${backend}: ${s.watchers} watchers, burst of ${s.watchWrites} writes`);
    run.watch = await runWatchBench({
      target: server.target,
      serverPid: server.pid,
      namespace: 'bench-watch',
      watchers: s.watchers,
      writes: s.watchWrites,
      writeConcurrency: s.watchWriteConcurrency,
      warmupWrites: s.watchWarmupWrites,
      timeoutMs: 60_000,
      ...(profiler ? { profiler } : {}),
    });
    // Watch connections close asynchronously; give the server a moment to drop them.
    await new Promise((r) => setTimeout(r, 1000));
    const mem = memoryOfTree(server.pid);
    run.loadedRss = mem?.rss;
    run.peakRss = mem?.peak;
    if (etcd) run.storeRss = memoryOf(etcd.pid)?.rss;
  } catch (err) {
    run.failed = err instanceof Error ? err.message : String(err);
    if (server) run.failed += `\nserver output:\n${server.output.toString().slice(-2000)}`;
  } finally {
    progress(`stopping ${backend}`);
    profiler?.close();
    await server?.stop();
    await etcd?.stop();
  }
  if (s.profile) run.profileReport = profileReport(run, join(dir, 'profile'));
  removeDir();
  return run;
}

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const sources = new SourcePositions();

function hotSpotTable(profile: CpuProfile, top: number, byFile = false): { busyMs: number; table: string } {
  const { busyMs, spots } = hotSpots(profile, { root: REPO_ROOT, top, byFile, sources });
  const table = byFile
    ? markdownTable(
        ['file', 'self ms', 'share'],
        spots.map((h) => [h.where || '(V8/native)', fmtMs(h.selfMs), fmtPercent(h.share)]),
      )
    : markdownTable(
        ['function', 'where', 'self ms', 'share'],
        spots.map((h) => [h.name, h.where, fmtMs(h.selfMs), fmtPercent(h.share)]),
      );
  return { busyMs, table };
}

/** Hot spots per profiled phase, then by file over the whole run. dist/ paths are the build of src/. */
function profileReport(run: BackendRun, dir: string): string {
  const out: string[] = [];
  const phases: [string, CpuProfile | undefined][] = [
    ...run.phases
      .filter((p) => p.profile)
      .map((p): [string, CpuProfile | undefined] => [`${p.op} × ${p.clients} clients`, p.profile]),
    [`watch burst (${run.watch?.watchers ?? 0} watchers)`, run.watch?.profile],
  ];
  for (const [label, profile] of phases) {
    if (!profile) continue;
    const { busyMs, table } = hotSpotTable(profile, 12);
    out.push(`#### ${run.backend} server, ${label}: ${fmtMs(busyMs)} ms on the main thread\n\n${table}`);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const whole = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const { busyMs, table } = hotSpotTable(whole, 15, true);
    out.push(
      `#### ${run.backend} server, whole run (node --cpu-prof), by file: ${fmtMs(busyMs)} ms\n\n${table}`,
    );
  } else {
    out.push(`(no --cpu-prof file was written for ${run.backend})`);
  }
  return out.join('\n\n');
}

async function main(): Promise<void> {
  const s = parseArgs(process.argv.slice(2));
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const runs: BackendRun[] = [];
  const loadBefore = loadavg();
  try {
    for (const backend of s.backends) runs.push(await runBackend(backend, s));
  } finally {
    await cleanUp();
  }
  const loadAfter = loadavg();
  const measured = runs.filter((r) => !r.skipped);
  const fmtLoad = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';

  console.log(`\n## Tugboat API benchmark${s.quick ? ' (--quick)' : ''}\n`);
  console.log(
    [
      `- ${new Date().toISOString()}, Node ${process.version}, ${availableParallelism()} cores (${cpuModel}).`,
      '- The server is the built CLI (`bin/tugboat.js server`, HTTPS, bearer token) in a child process; this',
      '  process generates the load; etcd, when measured, is a third process. All of them share the same cores,',
      '  so the CPU table shows where the time went. Server CPU and memory include its API worker processes',
      `  (--api-workers ${s.apiWorkers ?? '0'}).`,
      `- Load average before the run ${fmtLoad(loadBefore)}, after ${fmtLoad(loadAfter)} (1/5/15 min): anything`,
      `  above ${availableParallelism()} means other processes took CPU from the server; "ops per server CPU-s" factors that out.`,
      `- ConfigMaps of ~300 bytes. Each phase runs ${s.phaseMs} ms (or ${s.maxOpsPerPhase.toLocaleString('en-US')} ops) per`,
      '  client count with a closed loop per client over keep-alive connections (maxSockets = clients).',
      `  list = one LIST of a namespace holding ${s.listSize} ConfigMaps; update = PUT with the resourceVersion last seen.`,
      `- Watch: ${s.watchers} watches on one namespace's ConfigMaps, ${s.watchWarmupWrites} unmeasured creates to warm the`,
      `  fan-out path up (JIT), then ${s.watchWrites} creates, ${s.watchWriteConcurrency} in flight`,
      '  over connections opened beforehand; each carries its send time in data and every watcher reads it back',
      "  (one process clock). Arrival is when the bytes reach the load generator's event loop (a bare TLS socket per",
      '  watcher), so its own queueing is included.',
      ...runs.map((r) =>
        r.skipped ? `- ${r.backend}: column skipped: ${r.skipped}` : `- ${r.backend}: ${r.detail ?? ''}`,
      ),
    ].join('\n'),
  );
  console.log('\n### Requests: throughput and latency\n');
  console.log(crudTable(measured, s.clientCounts));
  console.log('\n### CPU during each phase (100% = one core)\n');
  console.log(cpuTable(measured, s.clientCounts));
  const wrk = wrkAvailability();
  if (measured.some((r) => r.wrkPhases?.length)) {
    console.log(
      `\n### Requests from wrk ${wrk.ok ? wrk.version : ''} (a load generator in C, one thread, keep-alive)\n\n` +
        'The Node client above (undici) spends about a core at 18,000 requests/s, so on two shared cores its gets\n' +
        'measure the client as much as the server; wrk needs less than half its CPU per request (mostly the\n' +
        "kernel's TLS and socket work). Same objects and paths; a create posts the same ConfigMap with\n" +
        '`generateName`; latency includes any error answers.\n',
    );
    console.log(crudTable(measured, s.clientCounts, 'wrk'));
    console.log('\n#### CPU during each wrk phase (100% = one core)\n');
    console.log(cpuTable(measured, s.clientCounts, 'wrk'));
  } else if (s.wrk) {
    console.log(`\n(no wrk phases: ${wrk.ok ? 'every backend stopped early' : wrk.reason})`);
  }
  console.log('\n### Watch fan-out\n');
  console.log(watchTable(measured));
  console.log('\n### Memory\n');
  console.log(memoryTable(measured));
  console.log('\n### Goals\n');
  console.log(goalsTable(runs, s.clientCounts));
  const ceiling = runs.find((r) => r.baseline)?.baseline;
  if (ceiling) {
    console.log(
      `\nCeiling on this machine: a bare Node HTTPS server (no routing, auth or store) answering the same GET ` +
        `with the same client at ${ceiling.clients} clients: ${fmtRate(ceiling.opsPerSecond)} req/s, ` +
        `p99 ${fmtMs(ceiling.latency.p99)} ms.`,
    );
  }
  const notes = errorNotes(runs);
  if (notes.length) console.log(`\n### Notes\n\n${notes.join('\n')}`);
  const profiles = runs.filter((r) => r.profileReport);
  if (profiles.length) {
    console.log('\n### Server CPU profiles (self time; dist/ is the build of src/, same paths)\n');
    console.log(profiles.map((r) => r.profileReport).join('\n\n'));
  }
  if (runs.some((r) => r.failed)) process.exitCode = 1;
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await cleanUp();
  process.exit(1);
});
