// Scratch: CPU of an idle cluster with N hollow nodes (server and hollow process), over 30 s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { RemoteProfiler } from '../lib/inspector-profiler.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../lib/server-process.js';
import { startHollowNodes } from '../lib/hollow-process.js';
import { cpuSecondsOf } from '../lib/proc.js';
import { ApiClient, loadKubeconfig, R } from '../../src/client/index.js';

const n = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'idle-cpu-'));
const server = await startServerProcess({ dataDir: join(dir, 'data'), datastoreEndpoint: `sqlite://${join(dir, 'db', 'state.db')}`, ...(process.env.PROF ? { cpuProfileDir: process.env.PROF } : {}), inspect: !!process.env.INSPECT, extraArgs: ['--cluster-cidr', '100.64.0.0/10', ...(process.env.EXTRA ? process.env.EXTRA.split(' ') : [])] });
const kc = join(dir, 'data', 'kubeconfig.yaml');
const client = new ApiClient({ ...(await loadKubeconfig(kc)) });
const hollow = startHollowNodes({ kubeconfig: kc, count: n });
for (;;) {
  const list = await client.resource<any>(R.nodes).listAll('', { limit: 1000 });
  if (list.items.filter((x: any) => x.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length >= n) break;
  await new Promise((r) => setTimeout(r, 500));
}
await new Promise((r) => setTimeout(r, 15000));
let prof: RemoteProfiler | undefined;
if (process.env.INSPECT) { prof = await RemoteProfiler.connect(server.inspectorUrl!); await prof.start(); }
const s0 = cpuSecondsOf(server.pid)!, h0 = cpuSecondsOf(hollow.pid)!;
await new Promise((r) => setTimeout(r, Number(process.env.WINDOW ?? 30) * 1000));
const s1 = cpuSecondsOf(server.pid)!, h1 = cpuSecondsOf(hollow.pid)!;
if (prof) writeFileSync(process.env.INSPECT!, JSON.stringify(await prof.stop()));
console.log(`nodes ${n}: server ${((s1 - s0) / Number(process.env.WINDOW ?? 30) * 100).toFixed(1)}% of a core, hollow ${((h1 - h0) / Number(process.env.WINDOW ?? 30) * 100).toFixed(1)}%`);
await hollow.stop(); await server.stop(); rmSync(dir, { recursive: true, force: true });
