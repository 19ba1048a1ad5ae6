/**
 * Drives the built `tugboat server` CLI and the real kubectl binaries, as a user would.
 * Needs `npm run build` first (bin/tugboat.js loads dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { waitFor } from '../../src/util/wait.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tugboatBin = join(repoRoot, 'bin', 'tugboat.js');

export interface StartServerOptions {
  /** Reuse this data dir (it is not removed by stop()). Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** Default: sqlite in the data dir. `memory://` where persistence does not matter. */
  datastoreEndpoint?: string;
  /** Extra `tugboat server` flags. */
  args?: string[];
  /** Run the node agent for this host (default: --disable-agent). */
  agent?: boolean;
  readyTimeoutMs?: number;
  /** Added to the server's environment. */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export interface ServerProcess {
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  port: number;
  dataDir: string;
  pid: number;
  /** Temp folder for kubectl's discovery cache (KUBECACHEDIR), removed with an owned data dir. */
  cacheDir: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  /**
   * SIGTERM, wait for exit (SIGKILL after a deadline), remove the temp dirs this helper created.
   * Resolves to the exit code (null when killed by a signal).
   */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit; leaves the data dir in place (removes only the kubectl cache). */
  kill9(): Promise<void>;
  /** kubectl against this server with KUBECONFIG and KUBECACHEDIR set. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** A long-running kubectl (e.g. `get -w`) against this server. */
  kubectlStream(args: string[], opts?: KubectlOptions): KubectlStream;
}

export async function startServerProcess(opts: StartServerOptions = {}): Promise<ServerProcess> {
  if (!existsSync(join(repoRoot, 'dist', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
  }
  const ownedRoot = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'tugboat-e2e-'));
  const dataDir = opts.dataDir ?? join(ownedRoot!, 'data');
  const cacheDir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-kubecache-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  // A restart on the same data dir rewrites the kubeconfig (new port): wait for the new one.
  if (existsSync(kubeconfig)) unlinkSync(kubeconfig);

  const args = [
    ...(opts.nodeArgs ?? []),
    tugboatBin,
    'server',
    '--data-dir',
    dataDir,
    '--https-listen-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    // A test server's ingress controller stays off the host's ports 80 and 443 unless the test asks for ports.
    ...(opts.agent ? ['--ingress-http-port', '0', '--ingress-https-port', '0'] : ['--disable-agent']),
    ...(opts.datastoreEndpoint ? ['--datastore-endpoint', opts.datastoreEndpoint] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let running = true;
  void exited.then(() => (running = false));

  const cleanup = (): void => {
    rmSync(cacheDir, { recursive: true, force: true });
    if (ownedRoot) rmSync(ownedRoot, { recursive: true, force: true });
  };

  let server: string;
  try {
    const ready = await waitFor(
      () => {
        // waitFor retries on errors, so report an early exit as a value.
        if (!running) return { exited: true as const };
        if (!existsSync(kubeconfig)) return undefined;
        const doc = parseYaml(readFileSync(kubeconfig, 'utf8')) as KubeconfigDoc | null;
        const url = doc?.clusters?.[0]?.cluster?.server;
        return url ? { url } : undefined;
      },
      { timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 50, message: 'kubeconfig written' },
    );
    if ('exited' in ready) throw new Error(`tugboat server exited before serving (code ${await exited})`);
    server = ready.url;
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw new Error(`${(err as Error).message}\nserver output:\n${out}`);
  }
  const port = Number(new URL(server).port);

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (running) child.kill(signal);
    await exited;
  };
  const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: cacheDir,
    ...extra,
  });

  return {
    kubeconfig,
    server,
    port,
    dataDir,
    pid: child.pid!,
    cacheDir,
    output: () => out,
    stop: async () => {
      if (running) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
      return exited;
    },
    kill9: async () => {
      await kill('SIGKILL');
      rmSync(cacheDir, { recursive: true, force: true });
    },
    kubectl: (a, o = {}) => kubectl(a, { ...o, env: env(o.env) }),
    kubectlStream: (a, o = {}) => kubectlStream(a, { ...o, env: env(o.env) }),
  };
}

interface KubeconfigDoc {
  clusters?: { cluster?: { server?: string } }[];
}

export type KubectlVersion = '1.29' | '1.32' | '1.33';

export interface KubectlOptions {
  /** Written to stdin. */
  input?: string;
  /** Added to the process environment. */
  env?: NodeJS.ProcessEnv;
  /** Which real kubectl; default 1.32. */
  version?: KubectlVersion;
  /** Kill kubectl after this long (a hung command must fail the test, not stall it). Default 60 s. */
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The versioned kubectl binaries live beside the `kubectl` dispatcher on PATH
 * (`dirname $(readlink -f $(which kubectl))`); fall back to plain `kubectl`.
 */
export function kubectlBinary(version: KubectlVersion = '1.32'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'kubectl');
    if (!existsSync(candidate)) continue;
    const versioned = join(dirname(realpathSync(candidate)), `kubectl.${version}`);
    return existsSync(versioned) ? versioned : candidate;
  }
  return 'kubectl';
}

export function kubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(kubectlBinary(opts.version), args, {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      stderr += `\n[test helper: kubectl killed after ${opts.timeoutMs ?? 60_000} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // kubectl may exit before reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** kubectl for one kubeconfig, with a discovery cache of its own that `close` removes. */
export interface KubeconfigKubectl {
  run(...args: string[]): Promise<KubectlResult>;
  /** stdout of a command that must succeed. */
  ok(...args: string[]): Promise<string>;
  close(): void;
}

export function kubectlWith(kubeconfig: string): KubeconfigKubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tugboat-kubecache-'));
  const run = (...args: string[]): Promise<KubectlResult> =>
    kubectl(args, { env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir } });
  return {
    run,
    ok: async (...args) => expectOk(await run(...args), `kubectl ${args.join(' ')}`).stdout,
    close: () => rmSync(cacheDir, { recursive: true, force: true }),
  };
}

export interface KubectlStream {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching re (lines already seen count). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

export function kubectlStream(args: string[], opts: KubectlOptions = {}): KubectlStream {
  const child = spawn(kubectlBinary(opts.version), args, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  let running = true;
  void exited.then(() => (running = false));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLine: (re, timeoutMs = 15_000) =>
      waitFor(() => stdout.split('\n').find((l) => re.test(l)), {
        timeoutMs,
        intervalMs: 25,
        message: `kubectl ${args.join(' ')} printing a line matching ${re} (stdout so far: ${JSON.stringify(stdout)}, stderr: ${JSON.stringify(stderr)})`,
      }),
    stop: async () => {
      if (running) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Asserting helper: kubectl must succeed; the error names the command and its output. */
export function expectOk(r: KubectlResult, what: string): KubectlResult {
  if (r.code !== 0) {
    throw new Error(`${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/**
 * Waits until an event the field selector picks (`involvedObject.name=web,reason=FailedCreate`, in `namespace`
 * or the kubeconfig's) has a message containing `text`; returns the messages of all such events.
 */
export function eventMessages(
  s: ServerProcess,
  fieldSelector: string,
  text: string,
  opts: { namespace?: string; timeoutMs?: number } = {},
): Promise<string> {
  return waitFor(
    async () => {
      const r = await s.kubectl([
        ...(opts.namespace ? ['-n', opts.namespace] : []),
        'get',
        'events',
        '--field-selector',
        fieldSelector,
        '-o',
        'jsonpath={.items[*].message}',
      ]);
      return r.stdout.includes(text) ? r.stdout : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, message: `an event (${fieldSelector}) saying ${text}` },
  );
}
