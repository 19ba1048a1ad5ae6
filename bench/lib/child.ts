import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Keeps the last `max` characters a child wrote, for error messages. */
export class OutputTail {
  private text = '';
  constructor(private readonly max = 8192) {}

  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }

  toString(): string {
    return this.text;
  }
}

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)));
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. Only ever signals this child's PID. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await done;
  }
}

/** Waits until `ready` returns a value or the child exits or the time is up. */
export async function waitForOutput<T>(
  child: ChildProcess,
  tail: OutputTail,
  ready: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = ready();
    if (value !== undefined) return value;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms:\n${tail}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The launcher the benchmarks run with node directly (to pass Node flags of their own). */
export const LAUNCHER = fileURLToPath(new URL('../../bin/tugboat.js', import.meta.url));

/**
 * The Node flags `bin/tugboat.js` runs Node with when executed as a program (its sh line), read from the file so
 * that the benchmarks measure what users run.
 */
export function launcherNodeFlags(): string[] {
  const shLine = readFileSync(LAUNCHER, 'utf8').split('\n', 3)[1] ?? '';
  const flags = /\bexec node ((?:--[\w-]+(?:=\S+)? )*)"\$0"/.exec(shLine)?.[1];
  if (flags === undefined) throw new Error(`no "exec node … $0" in the sh line of ${LAUNCHER}`);
  return flags.split(' ').filter(Boolean);
}

/**
 * The environment `bin/tugboat.js` gives the server when run as a program (its sh line): the benchmarks run the
 * file with node directly, to pass Node flags, so they set it themselves.
 */
export function launcherEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '2', ...extra };
}
