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
  /**
   * Without streams.stdin, give the process a pipe that stays open until it exits rather than /dev/null. For
   * `script` (a terminal for exec): reading end-of-file at once, it types one into the terminal, which the
   * command then reads, or sees echoed (`^@`) before its own settings apply. A terminal with nothing typed
   * into it just waits.
   */
  holdStdinOpen?: boolean;
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
      stdio: [streams.stdin || opts.holdStdinOpen ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    child.stdin?.on('error', () => {});
    if (streams.stdin && child.stdin) streams.stdin.pipe(child.stdin);
    child.stdout!.pipe(streams.stdout ?? devNull(), { end: opts.endOutput ?? false });
    child.stderr!.pipe(streams.stderr ?? streams.stdout ?? devNull(), { end: false });
    const abort = (): void => void onAbort();
    streams.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      streams.signal?.removeEventListener('abort', abort);
      if (streams.stdin && child.stdin) streams.stdin.unpipe(child.stdin);
      child.stdin?.destroy();
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
}

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
