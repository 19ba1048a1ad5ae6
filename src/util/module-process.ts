import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { moduleEntry } from './module-worker.js';

/**
 * Forks a Node process on an ES module given as `./name.js` relative to `base` (the caller's import.meta.url),
 * with tsx's loader when the caller runs under tsx. The child does not inherit this process's Node flags (a
 * profiler or inspector flag would apply to it too).
 */
export function forkModule(relativeJs: string, base: string, options: ForkOptions = {}): ChildProcess {
  const { url, underTsx } = moduleEntry(relativeJs, base);
  const execArgv = underTsx ? ['--import', import.meta.resolve('tsx')] : [];
  return fork(fileURLToPath(url), [], { ...options, execArgv });
}
