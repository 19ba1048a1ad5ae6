/** Runs a helper process wired to caller-supplied streams (exec, port-forward) and resolves with its exit code. */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import type { StreamOptions } from '../../cri/types.js';
import { signalNumber } from './run.js';

export interface PipeOptions {
  /** End streams.stdout when the process's stdout ends (a port-forward connection); exec leaves it open. */
  endOutput?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  onSpawn?: (pid: number) => void;
}

export function pipeExec(
  argv: string[],
  streams: Pick<StreamOptions, 'stdin' | 'stdout' | 'stderr' | 'signal'> & { tty?: boolean },
  onAbort: () => Promise<void>,
  opts: PipeOptions = {},
): Promise<number> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [streams.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    if (streams.stdin && child.stdin) {
      child.stdin.on('error', () => {});
      streams.stdin.pipe(child.stdin);
    }
    child.stdout!.pipe(streams.stdout ?? devNull(), { end: opts.endOutput ?? false });
    child.stderr!.pipe(streams.stderr ?? streams.stdout ?? devNull(), { end: false });
    const abort = (): void => void onAbort();
    streams.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      streams.signal?.removeEventListener('abort', abort);
      if (streams.stdin && child.stdin) streams.stdin.unpipe(child.stdin);
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
}

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
