/**
 * Bundles the sources into dist/ with esbuild: one file per entry point (the CLI and every module that runs as
 * its own thread or process) plus shared chunks, all in one directory so that an entry a module starts by its
 * relative name (`./control-plane-worker.js`) sits beside it. Dependencies stay in node_modules.
 * Run: node --import tsx scripts/build-dist.ts
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/** Output name → source. A module started with startModuleWorker/forkModule must be listed here. */
const ENTRY_POINTS = {
  main: 'src/cli/main.ts',
  'control-plane-worker': 'src/cli/control-plane-worker.ts',
  'ingress-worker': 'src/cli/ingress-worker.ts',
  'api-worker': 'src/cli/api-worker.ts',
  'checkpoint-worker': 'src/store/sqlite/checkpoint-worker.ts',
  'x509-issuer': 'src/apiserver/auth/x509-issuer.ts',
  monitor: 'src/kubelet/runtimes/process/monitor.ts',
};

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ENTRY_POINTS,
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
