import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection of the calling thread's heap, with what it no longer needs given back. Node
 * exposes `gc` only with `--expose-gc`; the flag set at run time applies to contexts made afterwards, so a new
 * context hands the function over without the process being started with it.
 */
export function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
