import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Where a module given as `./name.js` relative to `base` (the caller's import.meta.url) is: under tsx (tests
 * run the sources) that is the `.ts` file beside the caller, which needs tsx's loader to run.
 */
export function moduleEntry(relativeJs: string, base: string): { url: URL; underTsx: boolean } {
  const underTsx = base.endsWith('.ts');
  return { url: new URL(underTsx ? relativeJs.replace(/\.js$/, '.ts') : relativeJs, base), underTsx };
}

/**
 * Starts a worker thread on an ES module given as `./name.js` relative to `base`. A worker does not inherit
 * the TypeScript loader: under tsx it is registered first.
 */
export function startModuleWorker(relativeJs: string, base: string, options: WorkerOptions = {}): Worker {
  const { url, underTsx } = moduleEntry(relativeJs, base);
  if (!underTsx) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}
