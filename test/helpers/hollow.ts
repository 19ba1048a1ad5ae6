import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tugboatBin = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'tugboat.js');

export interface HollowNodesProcess {
  pid: number;
  output(): string;
  /** SIGTERM (the nodes are marked NotReady), SIGKILL after 20 s; by PID only. */
  stop(): Promise<void>;
}

/** `tugboat hollow-nodes` (the built CLI) registering `count` nodes named `<prefix><i>`. */
export function startHollowNodes(kubeconfig: string, count: number, prefix: string): HollowNodesProcess {
  const child = spawn(
    process.execPath,
    [
      tugboatBin,
      'hollow-nodes',
      '--kubeconfig',
      kubeconfig,
      '--count',
      String(count),
      '--name-prefix',
      prefix,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (c: Buffer): void => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
