/**
 * conmon (Debian's, as CRI-O and podman use it) is the per-container monitor: it runs `<runtime> create`,
 * daemonizes, holds the container's stdio, writes CRI-format logs, records OOM kills and writes the exit code
 * to `<exitDir>/<id>`. It is a small C process, so it outlives restarts of the agent at little cost.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface ConmonLaunch {
  conmonPath: string;
  runtimePath: string;
  runtimeRoot: string;
  containerId: string;
  bundle: string;
  logPath: string;
  exitDir: string;
  socketDir: string;
  terminal: boolean;
  stdin: boolean;
  /** Close the container's stdin when the first attach session ends (stdinOnce). */
  stdinOnce: boolean;
}

export const conmonFiles = (bundle: string) => ({
  pidFile: path.join(bundle, 'pidfile'),
  conmonPidFile: path.join(bundle, 'conmon.pid'),
  persistDir: path.join(bundle, 'persist'),
  oomFile: path.join(bundle, 'persist', 'oom'),
  conmonLog: path.join(bundle, 'conmon.log'),
});

/** Starts conmon, which creates the container; resolves with the container's init pid and conmon's pid. */
export async function launchConmon(l: ConmonLaunch): Promise<{ pid: number; conmonPid: number }> {
  const files = conmonFiles(l.bundle);
  const args = [
    '--api-version',
    '1',
    '-c',
    l.containerId,
    '-u',
    l.containerId,
    '-n',
    l.containerId,
    '-r',
    l.runtimePath,
    '-b',
    l.bundle,
    '-p',
    files.pidFile,
    '-l',
    `k8s-file:${l.logPath}`,
    '--exit-dir',
    l.exitDir,
    '--persist-dir',
    files.persistDir,
    '--socket-dir-path',
    l.socketDir,
    '--conmon-pidfile',
    files.conmonPidFile,
    '--runtime-arg',
    `--root=${l.runtimeRoot}`,
    '--log-level',
    'warning',
  ];
  if (l.terminal) args.push('-t');
  if (l.stdin) args.push('-i');
  // Without this conmon closes the container's stdin when an attach client disconnects.
  if (l.stdin && !l.stdinOnce) args.push('--leave-stdin-open');
  // conmon's own stdout/stderr go to a file: pipes would stay open in the daemonized monitor.
  const logFd = openSync(files.conmonLog, 'a');
  let child;
  try {
    child = spawn(l.conmonPath, args, {
      detached: true,
      // conmon writes some files (an `oom` marker) relative to its working directory.
      cwd: l.bundle,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
    });
  } finally {
    closeSync(logFd);
  }
  const sync = child.stdio[3] as Readable;
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  let message: { data?: number; message?: string } | undefined;
  try {
    message = await readFirstJsonLine(sync);
  } finally {
    sync.destroy();
  }
  await exited;
  if (!message || message.data === undefined || message.data < 0) {
    const log = await readFile(files.conmonLog, 'utf8').catch(() => '');
    throw new Error(
      `container create failed: ${message?.message ?? (log.trim() || 'conmon exited without reporting')}`,
    );
  }
  const conmonPid = Number((await readFile(files.conmonPidFile, 'utf8')).trim());
  return { pid: message.data, conmonPid };
}

function readFirstJsonLine(stream: Readable): Promise<{ data?: number; message?: string } | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const finish = (v: { data?: number; message?: string } | undefined): void => {
      stream.removeAllListeners('data');
      resolve(v);
    };
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(JSON.parse(buf.slice(0, nl)) as { data?: number; message?: string });
      } catch {
        finish({ data: -1, message: buf.slice(0, nl) });
      }
    });
    stream.on('end', () => finish(buf.trim() ? { data: -1, message: buf.trim() } : undefined));
    stream.on('error', () => finish(undefined));
  });
}
