import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCHER, launcherEnv, launcherNodeFlags, OutputTail, stopChild, waitForOutput } from './child.js';
import type { ApiTarget } from './http-client.js';

export interface ServerProcess {
  pid: number;
  target: ApiTarget;
  /** What the server wrote to stderr lately. */
  output: OutputTail;
  /** ws:// address of the inspector, when started with inspect. */
  inspectorUrl?: string;
  stop(): Promise<void>;
}

/**
 * Runs the built CLI (`bin/tugboat.js server`) as a child process on a free loopback port, so the load generator
 * does not share its event loop and its memory can be read from /proc.
 */
export async function startServerProcess(opts: {
  dataDir: string;
  datastoreEndpoint: string;
  /** Write a V8 CPU profile into this folder when the server exits. */
  cpuProfileDir?: string;
  /** Open the inspector on a free loopback port (for per-phase profiles). */
  inspect?: boolean;
  /** More `tugboat server` flags. */
  extraArgs?: string[];
}): Promise<ServerProcess> {
  const nodeArgs = [
    ...launcherNodeFlags(),
    ...(opts.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir] : []),
    ...(opts.inspect ? ['--inspect=127.0.0.1:0'] : []),
  ];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      LAUNCHER,
      'server',
      '--data-dir',
      opts.dataDir,
      '--bind-address',
      '127.0.0.1',
      '--https-listen-port',
      '0',
      '--datastore-endpoint',
      opts.datastoreEndpoint,
      '--disable-agent',
      '--log-level',
      'info',
      ...(opts.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: launcherEnv({ TUGBOAT_LOG_LEVEL: 'info' }) },
  );
  const output = new OutputTail();
  let url: string | undefined;
  let inspectorUrl: string | undefined;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output.add(text);
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(output.toString())?.[1];
    url ??= /API server serving \{"server":"(https:\/\/[^"]+)"/.exec(output.toString())?.[1];
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  try {
    await waitForOutput(child, output, () => url, 60_000, 'tugboat server');
  } catch (err) {
    await stopChild(child, 5000);
    throw err;
  }
  const serverDir = join(opts.dataDir, 'server');
  const token = readFileSync(join(serverDir, 'token'), 'utf8').split(',')[0]!.trim();
  const ca = readFileSync(join(serverDir, 'tls', 'server-ca.crt'), 'utf8');
  return {
    pid: child.pid!,
    target: { url: url!, token, ca },
    output,
    ...(inspectorUrl ? { inspectorUrl } : {}),
    stop: () => stopChild(child, 20_000),
  };
}
