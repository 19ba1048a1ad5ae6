import type { Command } from './command.js';
import { resolveServerOptions, serverFlags } from './server-options.js';

/** If something still holds the event loop after a clean shutdown, exit anyway after this long. */
const EXIT_GRACE_MS = 5000;

export const serverCommand: Command = {
  name: 'server',
  summary: 'Run the control plane (API server and store)',
  description:
    'Run the control plane: the Kubernetes API server over HTTPS with its store. On first start it creates\n' +
    'the cluster CA, certificates and an admin token under DATA_DIR/server, and writes an admin kubeconfig.\n' +
    'SIGTERM or SIGINT stops it gracefully; a second signal stops it at once.',
  flags: serverFlags,
  async run(values, io) {
    const opts = resolveServerOptions(values, io);
    // Loaded only here: the server pulls in the crypto and storage stacks, which `--help` does not need.
    const { runServer } = await import('./server.js');
    const code = await runServer(opts);
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  },
};
