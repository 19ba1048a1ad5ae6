import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient, type ClientConfig, type Stoppable } from '../client/index.js';
import { followClusterServers } from '../loadbalancer/index.js';
import { createLogger, type Logger } from '../util/logger.js';
import type { AgentCommandOptions } from './agent-options.js';
import { joinCluster, JoinRefused } from './agent-join.js';
import { startServerLoadBalancer } from './agent-servers.js';
import { hostAddresses, hostName } from './net.js';
import { agentNodeSettings } from './node-options.js';
import { watchSignals } from './signals.js';
import { tugboatVersion } from './version.js';

export interface AgentRunDeps {
  /** Resolves when the agent should stop. Default: the first SIGTERM or SIGINT. */
  shutdown?: Promise<unknown>;
  logger?: Logger;
  /** Called once the agent runs (joined, kubelet started). */
  onReady?: () => void;
  /** First delay between join attempts (tests). */
  joinRetryDelayMs?: number;
}

/**
 * Run `tugboat agent` until shutdown; resolves to the exit code. Joins the server with the token (node
 * credentials, the cluster's settings), then runs the node agent under the node's own identity
 * (`system:node:NAME`, which the server's Node authorizer and NodeRestriction admission limit to its node).
 */
export async function runAgentCommand(opts: AgentCommandOptions, deps: AgentRunDeps = {}): Promise<number> {
  const log = deps.logger ?? createLogger('tugboat', opts.logLevel);
  const signals = deps.shutdown ? undefined : watchSignals(log);
  const shutdown = deps.shutdown ?? signals?.stopped ?? new Promise(() => {});
  const stopJoining = new AbortController();
  void shutdown.then(() => stopJoining.abort());
  const onUnhandled = (reason: unknown): void => {
    log.error('unhandled rejection (a bug: please report it)', {
      error: String((reason as Error)?.stack ?? reason),
    });
  };
  if (!deps.shutdown) process.on('unhandledRejection', onUnhandled);
  let agent: Stoppable | undefined;
  const stopping: Stoppable[] = [];
  try {
    log.info(`tugboat agent v${tugboatVersion()} starting`, { dataDir: opts.dataDir, server: opts.server });
    const agentDir = join(opts.dataDir, 'agent');
    await mkdir(agentDir, { recursive: true, mode: 0o700 });
    const addresses = hostAddresses();
    // Every request to the cluster, the join's included, goes through the balancer, which fails over between the
    // cluster's servers.
    const balancer = await startServerLoadBalancer({
      server: opts.server,
      port: opts.lbServerPort,
      agentDir,
      logger: log.child('loadbalancer'),
    });
    stopping.push({ stop: () => balancer.close() });
    const joined = await joinCluster({
      server: balancer.url,
      shownServer: opts.server,
      token: opts.token,
      nodeName: opts.nodeName,
      agentDir,
      hostnames: [hostName()],
      addresses: opts.nodeIp && !addresses.includes(opts.nodeIp) ? [opts.nodeIp, ...addresses] : addresses,
      logger: log.child('join'),
      signal: stopJoining.signal,
      ...(deps.joinRetryDelayMs !== undefined ? { retryDelayMs: deps.joinRetryDelayMs } : {}),
    }).catch((err: unknown) => {
      if (stopJoining.signal.aborted) return undefined;
      throw err;
    });
    if (!joined) {
      await stopAll(stopping);
      log.info('stopped before joining');
      return 0;
    }
    const { startAgent, agentClusterOptions } = await import('./agent.js');
    const { cluster } = joined;
    const client: ClientConfig = {
      server: balancer.url,
      caPem: joined.caPem,
      certPem: joined.client.certPem,
      keyPem: joined.client.keyPem,
    };
    const serversClient = new ApiClient({ userAgent: `tugboat-agent/${opts.nodeName}`, ...client });
    stopping.unshift({ stop: () => Promise.resolve(serversClient.close()) });
    stopping.unshift(followClusterServers(serversClient, balancer, log.child('loadbalancer')));
    agent = await startAgent({
      dataDir: opts.dataDir,
      nodeName: opts.nodeName,
      client,
      server: {
        port: opts.kubeletPort,
        tls: { certPem: joined.serving.certPem, keyPem: joined.serving.keyPem, caPem: joined.caPem },
      },
      ...agentNodeSettings(opts),
      ...agentClusterOptions(cluster),
      logger: log.child('agent'),
    });
    log.info('agent running', { node: opts.nodeName });
    deps.onReady?.();
    await shutdown;
    log.info('shutting down');
    await agent.stop();
    await stopAll(stopping);
    log.info('stopped');
    return 0;
  } catch (err) {
    const why =
      err instanceof JoinRefused ? `cannot join: ${err.message}` : String((err as Error)?.message ?? err);
    log.error(`agent failed: ${why}`);
    await agent?.stop().catch(() => undefined);
    await stopAll(stopping);
    return 1;
  } finally {
    signals?.dispose();
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Stops each in turn; a failure does not keep the rest running. */
async function stopAll(components: Stoppable[]): Promise<void> {
  for (const c of components.splice(0)) await c.stop().catch(() => undefined);
}
