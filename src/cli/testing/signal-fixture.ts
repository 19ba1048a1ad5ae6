// Runs runServer with an in-memory store, a stand-in API server and the real signal handling (signal tests).
// argv: DATA_DIR [hang]  ("hang": the API server never finishes closing)
import { parseFlags } from '../command.js';
import { runServer } from '../server.js';
import { resolveServerOptions, serverFlags } from '../server-options.js';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { createLogger } from '../../util/logger.js';

const [dataDir = '', mode = ''] = process.argv.slice(2);
const opts = resolveServerOptions(
  parseFlags('server', serverFlags, [
    '--data-dir',
    dataDir,
    '--bind-address',
    '127.0.0.1',
    '--https-listen-port',
    '0',
    '--disable-agent',
  ]),
  { stdout: () => {}, stderr: () => {}, env: {}, uid: 1000, home: dataDir, cwd: dataDir },
);
const keepAlive = setInterval(() => {}, 60_000);
const code = await runServer(opts, {
  logger: createLogger('fixture', 'info'),
  openStore: () => Promise.resolve(new MemoryStore()),
  startApiServer: () =>
    Promise.resolve({
      port: 1,
      close: () => (mode === 'hang' ? new Promise<void>(() => {}) : Promise.resolve()),
    }),
  onReady: () => process.stdout.write('READY\n'),
});
clearInterval(keepAlive);
process.exitCode = code;
