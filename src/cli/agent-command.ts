import type { Command } from './command.js';
import { agentFlags, resolveAgentOptions } from './agent-options.js';

/** If something still holds the event loop after a clean shutdown, exit anyway after this long. */
const EXIT_GRACE_MS = 5000;

export const agentCommand: Command = {
  name: 'agent',
  summary: 'Run a node agent that joins a server (--server URL --token TOKEN)',
  description:
    "Run a node agent on this host and join it to a cluster: the server's URL and the join token from the\n" +
    "server's DATA_DIR/server/node-token. The agent gets its node credentials and the cluster's settings from\n" +
    'the server, then runs pods, the service proxy, cluster DNS and NetworkPolicies for its node.\n' +
    'SIGTERM or SIGINT stops it; the containers it started keep running until it is back.',
  flags: agentFlags,
  async run(values, io) {
    const opts = resolveAgentOptions(values, io);
    const { runAgentCommand } = await import('./agent-run.js');
    const code = await runAgentCommand(opts);
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  },
};
