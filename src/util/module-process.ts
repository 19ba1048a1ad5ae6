import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Forks a Node process on an ES module given as `./name.js` relative to `base` (the caller's import.meta.url).
 * Under tsx (tests run the sources) the `.ts` file runs with tsx's loader. The child does not inherit this
 * process's Node flags (a profiler or inspector flag would apply to it too).
 */
export function forkModule(relativeJs: string, base: string, options: ForkOptions = {}): ChildProcess {
  const underTsx = base.endsWith('.ts');
  const entry = fileURLToPath(new URL(underTsx ? relativeJs.replace(/\.js$/, '.ts') : relativeJs, base));
  const execArgv = underTsx ? ['--import', import.meta.resolve('tsx')] : [];
  return fork(entry, [], { ...options, execArgv });
}
