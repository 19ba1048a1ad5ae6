import type { PhaseResult } from './closed-loop.js';
import type { MeasuredPhase } from './crud.js';
import { CRUD_OPS } from './crud.js';
import type { WatchBenchResult } from './watch.js';
import { fmtMiB, fmtMs, fmtPercent, fmtRate, markdownTable } from './table.js';

export interface BackendRun {
  backend: 'sqlite' | 'etcd';
  /** Why the backend was not measured, when it was not. */
  skipped?: string;
  /** Why the run stopped early, when it did. */
  failed?: string;
  detail?: string;
  phases: MeasuredPhase[];
  /** create, get and list again with wrk generating the load (see wrk.ts), when it is installed. */
  wrkPhases?: MeasuredPhase[];
  /** Gets against a bare Node HTTPS server with the same client: the ceiling of this machine and runtime. */
  baseline?: PhaseResult;
  watch?: WatchBenchResult;
  /** RSS 3 s after start: start-up garbage V8 has not given back yet. */
  startRss?: number;
  /** RSS at the start of the idle window (IDLE_FROM_S after start). */
  idleRssFirst?: number;
  /**
   * Median RSS over the idle window: one reading a second for IDLE_WINDOW_S seconds from IDLE_FROM_S after start,
   * with nothing done. A single reading mostly says whether V8's memory reducer (which gives start-up garbage
   * back some 10-17 s after start, later when timers keep the thread busy) has run yet.
   */
  idleRss?: number;
  loadedRss?: number;
  peakRss?: number;
  storeRss?: number;
  /** Markdown with the server's CPU hot spots, from a --profile run. */
  profileReport?: string;
}

/** Which load generator's phases a table or goal reads: the Node client's or wrk's. */
export type LoadGenerator = 'node' | 'wrk';

const phasesOf = (run: BackendRun | undefined, gen: LoadGenerator): MeasuredPhase[] =>
  (gen === 'wrk' ? run?.wrkPhases : run?.phases) ?? [];

const phaseOf = (
  run: BackendRun | undefined,
  op: string,
  clients: number,
  gen: LoadGenerator = 'node',
): MeasuredPhase | undefined => phasesOf(run, gen).find((p) => p.op === op && p.clients === clients);

const opsOf = (runs: BackendRun[], gen: LoadGenerator): string[] =>
  CRUD_OPS.filter((op) => runs.some((r) => phasesOf(r, gen).some((p) => p.op === op)));

export function crudTable(runs: BackendRun[], clientCounts: number[], gen: LoadGenerator = 'node'): string {
  const header = ['op', 'clients'];
  for (const r of runs) header.push(`${r.backend} ops/s`, 'p50 ms', 'p99 ms', 'max ms');
  const rows: string[][] = [];
  for (const op of opsOf(runs, gen)) {
    for (const c of clientCounts) {
      const row = [op, String(c)];
      for (const r of runs) {
        const p = phaseOf(r, op, c, gen);
        row.push(
          p ? fmtRate(p.opsPerSecond) + (p.errors ? ` (${p.errors} err)` : '') : '-',
          fmtMs(p?.latency.p50 ?? NaN),
          fmtMs(p?.latency.p99 ?? NaN),
          fmtMs(p?.latency.max ?? NaN),
        );
      }
      rows.push(row);
    }
  }
  return markdownTable(header, rows);
}

/** CPU per process during each phase: shows which process the 2 cores went to. */
export function cpuTable(runs: BackendRun[], clientCounts: number[], gen: LoadGenerator = 'node'): string {
  const header = ['op', 'clients'];
  for (const r of runs) {
    header.push(`${r.backend}: server CPU`);
    if (r.backend === 'etcd') header.push('etcd CPU');
    header.push('load gen CPU', 'ops per server CPU-s');
  }
  const rows: string[][] = [];
  for (const op of opsOf(runs, gen)) {
    for (const c of clientCounts) {
      const row = [op, String(c)];
      for (const r of runs) {
        const p = phaseOf(r, op, c, gen);
        row.push(fmtPercent(p?.serverCores));
        if (r.backend === 'etcd') row.push(fmtPercent(p?.storeCores));
        row.push(fmtPercent(p?.loadCores));
        // Throughput per second of server CPU: what one dedicated core could do, whatever else ran meanwhile.
        row.push(p?.serverCores ? fmtRate(p.opsPerSecond / p.serverCores) : '-');
      }
      rows.push(row);
    }
  }
  return markdownTable(header, rows);
}

export function watchTable(runs: BackendRun[]): string {
  const lines: [string, (w: WatchBenchResult) => string][] = [
    ['watchers × writes', (w) => `${w.watchers} × ${w.writes}`],
    ['open all watches', (w) => `${fmtMs(w.connectMs)} ms`],
    ['events delivered', (w) => `${w.delivered} / ${w.expected}`],
    ['delivery p50 (per watcher)', (w) => `${fmtMs(w.perDelivery.p50)} ms`],
    ['delivery p99 (per watcher)', (w) => `${fmtMs(w.perDelivery.p99)} ms`],
    ['delivery max (per watcher)', (w) => `${fmtMs(w.perDelivery.max)} ms`],
    ['to all watchers p50 (per write)', (w) => `${fmtMs(w.toAllWatchers.p50)} ms`],
    ['to all watchers p99 (per write)', (w) => `${fmtMs(w.toAllWatchers.p99)} ms`],
    ['to all watchers max (per write)', (w) => `${fmtMs(w.toAllWatchers.max)} ms`],
    ['burst: first write to last delivery', (w) => `${fmtMs(w.burstMs)} ms`],
    ['events/s delivered', (w) => fmtRate((w.delivered / w.burstMs) * 1000)],
  ];
  return markdownTable(
    ['', ...runs.map((r) => r.backend)],
    lines.map(([label, f]) => [label, ...runs.map((r) => (r.watch ? f(r.watch) : '-'))]),
  );
}

/** The idle window: V8 gives start-up garbage back to the OS some 10-17 s after start, sometimes in two rounds. */
export const IDLE_FROM_S = 20;
export const IDLE_WINDOW_S = 30;
/** The idle memory goal, 80 MB. */
const IDLE_RSS_GOAL = 80e6;

export function memoryTable(runs: BackendRun[]): string {
  const rows: [string, (r: BackendRun) => string][] = [
    ['server RSS 3 s after start', (r) => fmtMiB(r.startRss)],
    [`server RSS ${IDLE_FROM_S} s after start (nothing done)`, (r) => fmtMiB(r.idleRssFirst)],
    [
      `server idle RSS (median, ${IDLE_FROM_S}-${IDLE_FROM_S + IDLE_WINDOW_S} s after start)`,
      (r) => fmtMiB(r.idleRss),
    ],
    ['server RSS with the watchers open', (r) => fmtMiB(r.watch?.serverRssWithWatchers)],
    ['server loaded RSS (after the runs)', (r) => fmtMiB(r.loadedRss)],
    ['server peak RSS (VmHWM)', (r) => fmtMiB(r.peakRss)],
    ['etcd RSS (after the runs)', (r) => (r.backend === 'etcd' ? fmtMiB(r.storeRss) : 'n/a')],
  ];
  return markdownTable(
    ['', ...runs.map((r) => r.backend)],
    rows.map(([label, f]) => [label, ...runs.map(f)]),
  );
}

/** The targets for the default (sqlite) backend, with etcd's numbers beside them for reference. */
export function goalsTable(runs: BackendRun[], clientCounts: number[]): string {
  const sqlite = runs.find((r) => r.backend === 'sqlite');
  const etcd = runs.find((r) => r.backend === 'etcd');
  const maxC = Math.max(...clientCounts);
  const bestGets = (r: BackendRun | undefined, gen: LoadGenerator): MeasuredPhase | undefined =>
    phasesOf(r, gen)
      .filter((p) => p.op === 'get')
      .sort((a, b) => b.opsPerSecond - a.opsPerSecond)[0];
  const generators: LoadGenerator[] = runs.some((r) => r.wrkPhases?.length) ? ['node', 'wrk'] : ['node'];
  const by = (gen: LoadGenerator): string => (gen === 'wrk' ? ', wrk' : ', Node client');
  const goals: {
    goal: string;
    target: string;
    value: (r: BackendRun | undefined) => number | undefined;
    show: (v: number, r: BackendRun | undefined) => string;
    met: (v: number) => boolean;
  }[] = [
    ...generators.flatMap((gen) => [
      {
        goal: `creates/s at ${maxC} clients${by(gen)}`,
        target: '>= 5,000',
        value: (r: BackendRun | undefined) => phaseOf(r, 'create', maxC, gen)?.opsPerSecond,
        show: fmtRate,
        met: (v: number) => v >= 5000,
      },
      {
        goal: `create p99 at ${maxC} clients${by(gen)}`,
        target: '<= 50 ms',
        value: (r: BackendRun | undefined) => phaseOf(r, 'create', maxC, gen)?.latency.p99,
        show: (v: number) => `${fmtMs(v)} ms`,
        met: (v: number) => v <= 50,
      },
      {
        goal: `gets/s (best client count)${by(gen)}`,
        target: '>= 20,000',
        value: (r: BackendRun | undefined) => bestGets(r, gen)?.opsPerSecond,
        show: (v: number, r: BackendRun | undefined) => {
          const n = bestGets(r, gen)?.clients ?? 0;
          return `${fmtRate(v)} (${n} client${n === 1 ? '' : 's'})`;
        },
        met: (v: number) => v >= 20_000,
      },
    ]),
    {
      goal: `watch delivery p99, ${sqlite?.watch?.watchers ?? etcd?.watch?.watchers ?? '-'} watchers`,
      target: '<= 100 ms',
      value: (r) => r?.watch?.perDelivery.p99,
      show: (v) => `${fmtMs(v)} ms`,
      met: (v) => v <= 100,
    },
    {
      goal: 'idle RSS (median over the idle window)',
      target: `<= 80 MB (${fmtMiB(IDLE_RSS_GOAL)})`,
      value: (r) => r?.idleRss,
      show: (v) => fmtMiB(v),
      met: (v) => v <= IDLE_RSS_GOAL,
    },
  ];
  return markdownTable(
    ['goal (sqlite)', 'target', 'sqlite', 'met', 'etcd (for reference)'],
    goals.map((g) => {
      const v = g.value(sqlite);
      const e = g.value(etcd);
      return [
        g.goal,
        g.target,
        v === undefined || Number.isNaN(v) ? '-' : g.show(v, sqlite),
        v === undefined || Number.isNaN(v) ? '-' : g.met(v) ? 'yes' : '**no**',
        e === undefined || Number.isNaN(e) ? '-' : g.show(e, etcd),
      ];
    }),
  );
}

export function errorNotes(runs: BackendRun[]): string[] {
  const notes: string[] = [];
  for (const r of runs) {
    if (r.skipped) notes.push(`- ${r.backend}: skipped: ${r.skipped}`);
    if (r.failed) notes.push(`- ${r.backend}: stopped early: ${r.failed}`);
    for (const [gen, p] of [
      ...r.phases.map((p) => ['', p] as const),
      ...(r.wrkPhases ?? []).map((p) => [' (wrk)', p] as const),
    ]) {
      if (p.errors)
        notes.push(`- ${r.backend} ${p.op}${gen} × ${p.clients}: ${p.errors} errors, first: ${p.firstError}`);
    }
    if (r.watch && r.watch.delivered < r.watch.expected) {
      notes.push(`- ${r.backend} watch: ${r.watch.expected - r.watch.delivered} events never arrived`);
    }
  }
  return notes;
}
