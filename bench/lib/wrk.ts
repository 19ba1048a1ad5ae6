import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhaseResult } from './closed-loop.js';
import type { ApiTarget } from './http-client.js';

/**
 * wrk (Debian's `wrk`), a load generator written in C: less than half the CPU per request of the Node client,
 * which on two shared cores otherwise measures itself (undici takes a whole core at ~18,000 gets/s).
 */
export function wrkAvailability(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: 'wrk is not installed (apt-get install wrk)' };
  const version = /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown version';
  return { ok: true, version };
}

export interface WrkRequest {
  method: 'GET' | 'POST';
  /** Requests go to these paths in turn, a fixed stride apart (every path read, no two neighbours in a row). */
  paths: string[];
  /** JSON body of every request (POST). */
  body?: string;
}

export interface WrkResult extends PhaseResult {
  /** CPU wrk used, in cores. */
  loadCores: number;
}

const luaString = (s: string): string => JSON.stringify(s);

/** The Lua script wrk runs: headers, method, body and the path of each request. */
export function wrkScript(target: ApiTarget, req: WrkRequest): string {
  const paths = req.paths.map(luaString).join(',\n  ');
  return `wrk.method = ${luaString(req.method)}
wrk.headers["Authorization"] = ${luaString(`Bearer ${target.token}`)}
wrk.headers["Accept"] = "application/json"
${req.body === undefined ? '' : `wrk.headers["Content-Type"] = "application/json"\nwrk.body = ${luaString(req.body)}\n`}
local paths = {
  ${paths}
}
local requests = {}
local pick = 0
-- Built once, after wrk has set the Host header: formatting each request anew cost wrk several times the CPU.
init = function(args)
  for i, path in ipairs(paths) do requests[i] = wrk.format(nil, path) end
end
request = function()
  pick = (pick + 7919) % #requests
  return requests[pick + 1]
end
`;
}

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  if (m[2] === 'us') return v / 1000;
  return v * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** Reads wrk's report (run with --latency). Latency counts all answers, errors among them. */
export function parseWrkReport(text: string, clients: number): PhaseResult {
  const total = /(\d+) requests in ([\d.]+\w+),/.exec(text);
  if (!total) throw new Error(`wrk printed no summary:\n${text.slice(-1000)}`);
  const requests = Number(total[1]);
  const elapsedMs = durationMs(total[2]!);
  const latencyLine = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const percentileOf = (p: number): number => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(text);
    return m ? durationMs(m[1]!) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const errors = non2xx + socketErrors;
  const ok = Math.max(0, requests - non2xx);
  return {
    clients,
    ops: ok,
    errors,
    ...(errors ? { firstError: `${non2xx} answers outside 2xx, ${socketErrors} socket errors` } : {}),
    elapsedMs,
    opsPerSecond: (ok / elapsedMs) * 1000,
    latency: {
      count: requests,
      p50: percentileOf(50),
      p99: percentileOf(99),
      max: latencyLine ? durationMs(latencyLine[3]!) : NaN,
    },
  };
}

/** CPU time of this process's children that have ended and been waited for (cutime + cstime), in seconds. */
function endedChildrenCpuSeconds(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after the name; 100 ticks a second.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs wrk with `clients` keep-alive connections for about `durationMs`, on one thread. */
export async function runWrk(
  target: ApiTarget,
  req: WrkRequest,
  clients: number,
  durationMs: number,
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-wrk-'));
  try {
    const script = join(dir, 'requests.lua');
    writeFileSync(script, wrkScript(target, req));
    const seconds = Math.max(1, Math.round(durationMs / 1000));
    const args = ['-t1', `-c${clients}`, `-d${seconds}s`, '--latency', '-s', script, target.url];
    const cpu0 = endedChildrenCpuSeconds();
    const output = await wrkOutput(args);
    const result = parseWrkReport(output, clients);
    const cpu = endedChildrenCpuSeconds() - cpu0;
    return { ...result, loadCores: cpu / (result.elapsedMs / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs wrk with these arguments; resolves to what it printed. */
export function wrkOutput(args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${out.slice(-500)}`)),
    );
  });
}
