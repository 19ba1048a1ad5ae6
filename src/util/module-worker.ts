import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on an ES module given as `./name.js` relative to `base` (the caller's import.meta.url).
 * Under tsx (tests run the sources) a worker does not inherit the TypeScript loader: it is registered first
 * and the `.ts` file runs instead.
 */
export function startModuleWorker(relativeJs: string, base: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(relativeJs, base), options);
  const entry = new URL(relativeJs.replace(/\.js$/, '.ts'), base).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { ...options, eval: true });
}
