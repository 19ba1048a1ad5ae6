/**
 * Scoped-watch benchmark: `npm run bench:watches [-- --quick]`. What writes cost the API server while many
 * watches each select a small slice of a resource, as a cluster's node agents do: every kubelet watches the pods
 * bound to its node (`spec.nodeName=NODE`) and each ConfigMap or Secret its pods mount (`metadata.name=NAME`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, HttpStatusError } from './lib/http-client.js';
import { cpuSecondsOf } from './lib/proc.js';
import { startServerProcess, type ServerProcess } from './lib/server-process.js';
import { fmtRate, markdownTable } from './lib/table.js';

const USAGE = `usage: node --import tsx bench/scoped-watches.ts [--quick]
  --quick   fewer watches and writes (about 20 s)`;

const IN_FLIGHT = 8;
const MERGE_PATCH = 'application/merge-patch+json';

interface Relist {
  what: string;
  pods: number;
  items: number;
  ms: number;
  serverCpuMs: number;
}

interface Phase {
  kind: 'pods by node' | 'configmaps by name';
  watches: number;
  writes: number;
  seconds: number;
  serverCpuSeconds: number;
  eventsExpected: number;
  eventsReceived: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const quick = argv.includes('--quick');
  const watchCounts = quick ? [0, 100, 500] : [0, 100, 1000];
  const objects = quick ? 500 : 2000;
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-bench-watches-'));
  let server: ServerProcess | undefined;
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    void server?.stop().finally(() => {
      cleanup();
      process.exit(130);
    });
  });
  try {
    server = await startServerProcess({
      dataDir: join(dir, 'data'),
      datastoreEndpoint: `sqlite://${join(dir, 'db', 'state.db')}`,
      // Pods are written bound to made-up nodes: no scheduler, and no controllers acting on them (the pod garbage
      // collector would delete them, adding writes of its own to the measurements).
      extraArgs: ['--disable-scheduler', '--disable-controller-manager'],
    });
    // Unmeasured: the first writes of a process also pay for compiling the write path.
    await podsByNode(server, 0, objects);
    const phases: Phase[] = [];
    for (const watches of watchCounts) phases.push(await podsByNode(server, watches, objects));
    for (const watches of watchCounts) phases.push(await configMapsByName(server, watches, objects));
    const relists = await relistCosts(server);
    printReport(phases, objects, relists);
  } finally {
    await server?.stop();
    cleanup();
  }
}

/** `watches` kubelet-style pod watches; each write creates a pod bound to one of their nodes or patches its status. */
async function podsByNode(server: ServerProcess, watches: number, pods: number): Promise<Phase> {
  const run = Date.now().toString(36);
  const client = new ApiClient(server.target, IN_FLIGHT);
  await ensureDefaultServiceAccount(client);
  const nodeOf = (i: number): string => `node-${run}-${i % Math.max(watches, 1)}`;
  const stream = await openWatches(server, watches, (i) => {
    const selector = encodeURIComponent(`spec.nodeName=${nodeOf(i)}`);
    return `/api/v1/pods?watch=true&fieldSelector=${selector}`;
  });
  const measured = await measure(server, pods * 2, async (i) => {
    const name = `p-${run}-${i >> 1}`;
    if (i % 2 === 0) {
      await client.call('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: `app-${(i >> 1) % 50}` } },
        spec: { nodeName: nodeOf(i >> 1), containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
      });
    } else {
      await client.call(
        'PATCH',
        `/api/v1/namespaces/default/pods/${name}/status`,
        { status: { phase: 'Running' } },
        MERGE_PATCH,
      );
    }
  });
  const received = await stream.settle(watches === 0 ? 0 : pods * 2);
  stream.close();
  client.close();
  return {
    kind: 'pods by node',
    watches,
    ...measured,
    eventsExpected: watches === 0 ? 0 : pods * 2,
    eventsReceived: received,
  };
}

/** `watches` single-object watches on ConfigMaps; each write updates one of the watched ConfigMaps. */
async function configMapsByName(server: ServerProcess, watches: number, writes: number): Promise<Phase> {
  const run = Date.now().toString(36);
  const client = new ApiClient(server.target, IN_FLIGHT);
  // The same spread of writes whatever the watch count: writers to one object would only measure contention.
  const count = Math.max(watches, 100);
  const nameOf = (i: number): string => `cm-${run}-${i % count}`;
  for (let i = 0; i < count; i++) {
    await client.call('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: nameOf(i) },
      data: { v: 'initial' },
    });
  }
  // The first `watches` ConfigMaps are watched, and writes go round all of them.
  const stream = await openWatches(server, watches, (i) => {
    const selector = encodeURIComponent(`metadata.name=${nameOf(i)}`);
    return `/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=${selector}&resourceVersion=0`;
  });
  // resourceVersion=0 starts each watch with its ConfigMap as an ADDED event.
  await stream.settle(watches);
  const measured = await measure(server, writes, async (i) => {
    await client.call(
      'PATCH',
      `/api/v1/namespaces/default/configmaps/${nameOf(i)}`,
      { data: { v: String(i) } },
      MERGE_PATCH,
    );
  });
  const expected = Math.round((writes * watches) / count);
  const received = (await stream.settle(watches + expected)) - watches;
  stream.close();
  client.close();
  return {
    kind: 'configmaps by name',
    watches,
    ...measured,
    eventsExpected: watches === 0 ? 0 : Math.round((writes * watches) / count),
    eventsReceived: received,
  };
}

interface WatchSet {
  /** Waits (up to 10 s) until this many events arrived in all; returns how many did. */
  settle(expected: number): Promise<number>;
  close(): void;
}

/** Opens the watches over their own connections (a node agent holds its own), counting event lines. */
async function openWatches(
  server: ServerProcess,
  count: number,
  path: (i: number) => string,
): Promise<WatchSet> {
  const client = new ApiClient(server.target, Math.max(count, 1));
  let received = 0;
  const streams: { close(): void }[] = [];
  // A few at a time: a thousand TLS handshakes at once outlast the client's connect timeout.
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, k) =>
      client.openStream(path(i + k), (chunk) => {
        for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) received++;
      }),
    );
    streams.push(...(await Promise.all(batch)));
  }
  return {
    async settle(expected) {
      const deadline = Date.now() + 10_000;
      while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return received;
    },
    close() {
      for (const s of streams) s.close();
      client.close();
    },
  };
}

/** Runs `writes` operations, IN_FLIGHT at a time, and reads the server's CPU time around them. */
async function measure(
  server: ServerProcess,
  writes: number,
  op: (i: number) => Promise<void>,
): Promise<{ writes: number; seconds: number; serverCpuSeconds: number }> {
  const cpuBefore = cpuSecondsOf(server.pid) ?? 0;
  const start = performance.now();
  let next = 0;
  // Each worker takes a pod's create and its status patch in order (pairs), so a patch never overtakes its create.
  const worker = async (): Promise<void> => {
    while (next < writes) {
      const i = next;
      next += 2;
      await op(i);
      if (i + 1 < writes) await op(i + 1);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return {
    writes,
    seconds: (performance.now() - start) / 1000,
    serverCpuSeconds: (cpuSecondsOf(server.pid) ?? 0) - cpuBefore,
  };
}

/**
 * What a node agent's relist costs (every agent relists when the API server restarts): a list of one node's pods,
 * and of one label pair's, among all the pods the phases left.
 */
async function relistCosts(server: ServerProcess): Promise<Relist[]> {
  const client = new ApiClient(server.target, 1);
  const all = await client.call<{ items: { spec: { nodeName: string } }[] }>('GET', '/api/v1/pods');
  const sample = all.items[all.items.length - 1]!;
  const queries: [string, string][] = [
    [
      "one node's pods (spec.nodeName=)",
      `fieldSelector=${encodeURIComponent(`spec.nodeName=${sample.spec.nodeName}`)}`,
    ],
    ['one label pair (app=, a 50th of the pods)', `labelSelector=${encodeURIComponent('app=app-7')}`],
  ];
  const out: Relist[] = [];
  const rounds = 10;
  for (const [what, query] of queries) {
    const cpuBefore = cpuSecondsOf(server.pid) ?? 0;
    const start = performance.now();
    let items = 0;
    for (let i = 0; i < rounds; i++) {
      items = (await client.call<{ items: unknown[] }>('GET', `/api/v1/pods?${query}`)).items.length;
    }
    out.push({
      what,
      pods: all.items.length,
      items,
      ms: (performance.now() - start) / rounds,
      serverCpuMs: (((cpuSecondsOf(server.pid) ?? 0) - cpuBefore) * 1000) / rounds,
    });
  }
  client.close();
  return out;
}

/** The ServiceAccount admission plugin wants it, and without controllers nobody else creates it. */
async function ensureDefaultServiceAccount(client: ApiClient): Promise<void> {
  const res = await client.request('POST', '/api/v1/namespaces/default/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default' },
  });
  if (res.status !== 201 && res.status !== 409)
    throw new HttpStatusError(res.status, res.body, 'create default SA');
}

function printReport(phases: Phase[], objects: number, relists: Relist[]): void {
  console.log('\n## Tugboat scoped-watch benchmark\n');
  console.log(
    `- ${new Date().toISOString()}, Node ${process.version}. The server (built CLI, no scheduler or controllers) is a child ` +
      `process; this process writes (${IN_FLIGHT} in flight) and holds the watches, each on its own connection.`,
  );
  console.log(
    `- pods by node: ${objects} pods, each created bound to one watched node and then its status patched; ` +
      `configmaps by name: ${objects} merge patches spread over as many ConfigMaps as there are watches (at least ` +
      `100), each watched by one. Every event reaches at most one watch.\n`,
  );
  console.log(
    markdownTable(
      ['watched', 'watches', 'writes/s', 'server CPU µs per write', 'events delivered'],
      phases.map((p) => [
        p.kind,
        String(p.watches),
        fmtRate(p.writes / p.seconds),
        fmtRate((p.serverCpuSeconds * 1e6) / p.writes),
        `${p.eventsReceived.toLocaleString('en-US')} / ${p.eventsExpected.toLocaleString('en-US')}`,
      ]),
    ),
  );
  console.log('\n### Relists\n');
  console.log(
    markdownTable(
      ['list of', 'pods stored', 'items', 'ms per list', 'server CPU ms per list'],
      relists.map((r) => [
        r.what,
        r.pods.toLocaleString('en-US'),
        String(r.items),
        r.ms.toFixed(1),
        r.serverCpuMs.toFixed(1),
      ]),
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
