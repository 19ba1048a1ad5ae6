import { forEachLimit, runClosedLoop, type PhaseLimits, type PhaseResult } from './closed-loop.js';
import { configMap, configMapsPath, createNamespace, type ConfigMapObject } from './configmaps.js';
import type { CpuProfile } from './cpu-profile.js';
import { ApiClient, type ApiTarget } from './http-client.js';
import type { RemoteProfiler } from './inspector-profiler.js';
import { cpuSecondsOf, cpuSecondsOfTree } from './proc.js';
import { runWrk, type WrkRequest } from './wrk.js';

export const CRUD_OPS = ['create', 'get', 'list', 'update'] as const;
export type CrudOp = (typeof CRUD_OPS)[number];

export interface MeasuredPhase extends PhaseResult {
  op: CrudOp;
  /** CPU the server (and etcd, when there is one) used during the phase, in cores (1 = one core busy). */
  serverCores?: number;
  storeCores?: number;
  /** CPU this load generator used, in cores. */
  loadCores: number;
  /** The server's CPU profile of this phase, when one was asked for. */
  profile?: CpuProfile;
}

export interface CrudOptions {
  target: ApiTarget;
  serverPid: number;
  /** An external store process (etcd) whose CPU is worth showing. */
  storePid?: number;
  limits: PhaseLimits;
  /** Namespace holding exactly `listSize` ConfigMaps, made by prepareListNamespace. */
  listNamespace: string;
  /** Profile every phase of this run in the server. */
  profiler?: RemoteProfiler;
}

/** Fills a namespace with `count` ConfigMaps for the list phase. */
export async function prepareListNamespace(target: ApiTarget, ns: string, count: number): Promise<void> {
  const client = new ApiClient(target, 32);
  try {
    await createNamespace(client, ns);
    await forEachLimit(count, 32, async (i) => {
      await client.call('POST', configMapsPath(ns), configMap(`item-${i}`, { index: String(i) }));
    });
  } finally {
    client.close();
  }
}

/** Runs one phase, reading the server's (and store's) CPU around it and profiling it when asked. */
async function measurePhase(
  op: CrudOp,
  opts: CrudOptions,
  run: () => Promise<PhaseResult & { loadCores: number }>,
): Promise<MeasuredPhase> {
  const server0 = cpuSecondsOfTree(opts.serverPid);
  const store0 = opts.storePid === undefined ? undefined : cpuSecondsOf(opts.storePid);
  await opts.profiler?.start();
  const r = await run();
  const profile = await opts.profiler?.stop();
  const secs = r.elapsedMs / 1000;
  const server1 = cpuSecondsOfTree(opts.serverPid);
  const store1 = opts.storePid === undefined ? undefined : cpuSecondsOf(opts.storePid);
  return {
    ...r,
    op,
    ...(profile ? { profile } : {}),
    ...(server0 !== undefined && server1 !== undefined ? { serverCores: (server1 - server0) / secs } : {}),
    ...(store0 !== undefined && store1 !== undefined ? { storeCores: (store1 - store0) / secs } : {}),
  };
}

/** create, get, list and update phases, in that order, with `clients` concurrent keep-alive clients. */
export async function runCrud(clients: number, ns: string, opts: CrudOptions): Promise<MeasuredPhase[]> {
  const client = new ApiClient(opts.target, clients);
  const path = configMapsPath(ns);
  const owned: ConfigMapObject[][] = Array.from({ length: clients }, () => []);
  const names: string[] = [];
  const results: MeasuredPhase[] = [];

  const measure = async (
    op: CrudOp,
    limits: PhaseLimits,
    fn: (c: number, seq: number) => Promise<void>,
  ): Promise<void> => {
    results.push(
      await measurePhase(op, opts, async () => {
        const load0 = process.cpuUsage();
        const r = await runClosedLoop(clients, limits, fn);
        const load = process.cpuUsage(load0);
        return { ...r, loadCores: (load.user + load.system) / 1e6 / (r.elapsedMs / 1000) };
      }),
    );
  };

  try {
    await createNamespace(client, ns);
    await measure('create', opts.limits, async (c, seq) => {
      const created = await client.call<ConfigMapObject>('POST', path, configMap(`cm-${c}-${seq}`));
      owned[c]!.push(created);
      names.push(created.metadata.name);
    });
    if (names.length === 0)
      throw new Error(`no ConfigMap could be created in ${ns}: ${results[0]?.firstError}`);

    let pick = 0;
    await measure('get', opts.limits, async () => {
      // A fixed stride through the names: every object is read, no two neighbours in a row.
      pick = (pick + 7919) % names.length;
      await client.call('GET', `${path}/${names[pick]}`);
    });

    await measure('list', opts.limits, async () => {
      await client.call('GET', configMapsPath(opts.listNamespace));
    });

    await measure('update', opts.limits, async (c, seq) => {
      const mine = owned[c]!;
      if (mine.length === 0) throw new Error(`client ${c} created nothing to update`);
      const slot = seq % mine.length;
      const current = mine[slot]!;
      // PUT carries the resourceVersion last seen, so a stale one would be a 409 Conflict and counted as an error.
      const next = { ...current, data: { ...current.data, counter: String(seq) } };
      mine[slot] = await client.call<ConfigMapObject>('PUT', `${path}/${current.metadata.name}`, next);
    });
  } finally {
    client.close();
  }
  return results;
}

/**
 * create, get and list phases with wrk as the load generator (see wrk.ts): creates use generateName, gets read
 * the list namespace's objects in turn. Updates need the resourceVersion of each client's last answer, which
 * wrk's scripts cannot carry between connections, so they stay with the Node client.
 */
export async function runCrudWithWrk(
  clients: number,
  ns: string,
  opts: CrudOptions & { listSize: number },
): Promise<MeasuredPhase[]> {
  const client = new ApiClient(opts.target, 1);
  try {
    await createNamespace(client, ns);
  } finally {
    client.close();
  }
  const { durationMs } = opts.limits;
  const { metadata, ...rest } = configMap('unused');
  const create = JSON.stringify({ ...rest, metadata: { labels: metadata.labels, generateName: 'cm-' } });
  const list = configMapsPath(opts.listNamespace);
  const gets = Array.from({ length: opts.listSize }, (_, i) => `${list}/item-${i}`);
  const wrk = (req: WrkRequest) => () => runWrk(opts.target, req, clients, durationMs);
  return [
    await measurePhase('create', opts, wrk({ method: 'POST', paths: [configMapsPath(ns)], body: create })),
    await measurePhase('get', opts, wrk({ method: 'GET', paths: gets })),
    await measurePhase('list', opts, wrk({ method: 'GET', paths: [list] })),
  ];
}
