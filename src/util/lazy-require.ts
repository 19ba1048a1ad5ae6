import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on the first call rather than at import: a long-running process that never takes
 * the path that needs it keeps the package's source and compiled code out of its heap. Synchronous, so callers
 * keep their signatures.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
