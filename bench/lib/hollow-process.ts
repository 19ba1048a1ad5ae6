import { spawn, type ChildProcess } from 'node:child_process';
import { LAUNCHER, launcherEnv, launcherNodeFlags, OutputTail, stopChild } from './child.js';

export interface HollowProcess {
  pid: number;
  output: OutputTail;
  stop(): Promise<void>;
}

/** `tugboat hollow-nodes` as a child process: `count` simulated nodes registered against the server. */
export function startHollowNodes(opts: {
  kubeconfig: string;
  count: number;
  namePrefix?: string;
  /** Node options, e.g. --cpu-prof. */
  nodeArgs?: string[];
}): HollowProcess {
  return startTugboat(
    [
      'hollow-nodes',
      '--kubeconfig',
      opts.kubeconfig,
      '--count',
      String(opts.count),
      '--name-prefix',
      opts.namePrefix ?? 'hollow-node-',
    ],
    opts.nodeArgs,
  );
}

/** Any `tugboat` subcommand (e.g. `scheduler --kubeconfig F`) as a child process, stopped by its PID. */
export function startTugboat(args: string[], nodeArgs: string[] = []): HollowProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [...launcherNodeFlags(), ...nodeArgs, LAUNCHER, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: launcherEnv() },
  );
  const output = new OutputTail();
  child.stdout?.on('data', (c: Buffer) => output.add(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.add(c.toString()));
  return { pid: child.pid!, output, stop: () => stopChild(child, 20_000) };
}
