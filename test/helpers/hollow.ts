import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tugboatBin = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'tugboat.js');

export interface TugboatProcess {
  pid: number;
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, SIGKILL after 20 s; by PID only. */
  stop(): Promise<void>;
  /** SIGKILL (no clean shutdown) and wait for the exit. */
  kill9(): Promise<void>;
}

/** Hollow nodes stop with SIGTERM by marking their nodes NotReady. */
export type HollowNodesProcess = TugboatProcess;

export interface HollowNodesOptions {
  /** Per-node capacity (the CLI's --cpu, --memory, --pods). */
  cpu?: string;
  memory?: string;
  pods?: number;
  /** The kubelet's --node-lease-duration-seconds: the Lease is renewed every quarter of it. */
  leaseDurationSeconds?: number;
}

/** A built `tugboat` CLI command (bin/tugboat.js) as a child process. */
export function startTugboat(args: string[]): TugboatProcess {
  const child = spawn(process.execPath, [tugboatBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer): void => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const done = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid!,
    output: () => out,
    exited: done,
    stop: async () => {
      if (done()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    kill9: async () => {
      if (!done()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `tugboat hollow-nodes` (the built CLI) registering `count` nodes named `<prefix><i>`. */
export function startHollowNodes(
  kubeconfig: string,
  count: number,
  prefix: string,
  opts: HollowNodesOptions = {},
): HollowNodesProcess {
  return startTugboat([
    'hollow-nodes',
    '--kubeconfig',
    kubeconfig,
    '--count',
    String(count),
    '--name-prefix',
    prefix,
    ...(opts.cpu ? ['--cpu', opts.cpu] : []),
    ...(opts.memory ? ['--memory', opts.memory] : []),
    ...(opts.pods !== undefined ? ['--pods', String(opts.pods)] : []),
    ...(opts.leaseDurationSeconds !== undefined
      ? ['--node-lease-duration-seconds', String(opts.leaseDurationSeconds)]
      : []),
  ]);
}
