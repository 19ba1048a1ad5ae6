import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../apiserver/auth/files.js';
import { formatHostPort, parseHostPort, ServerLoadBalancer } from '../loadbalancer/index.js';
import type { Logger } from '../util/logger.js';

/** Where an agent keeps the servers it has seen, for a restart while its `--server` is down. */
const STATE_FILE = 'api-servers.json';

interface SavedServers {
  defaultServer: string;
  servers: string[];
}

/**
 * Starts the agent's load balancer over the API servers: `--server` first, then the servers the agent saw in
 * the `kubernetes` Endpoints before it last stopped (kept only while `--server` is the same).
 */
export async function startServerLoadBalancer(opts: {
  server: string;
  port: number;
  agentDir: string;
  logger: Logger;
}): Promise<ServerLoadBalancer> {
  const url = new URL(opts.server);
  const defaultServer = formatHostPort({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 443),
  });
  const path = join(opts.agentDir, STATE_FILE);
  const saved = await readSaved(path, opts.logger);
  const balancer = new ServerLoadBalancer({
    defaultServer,
    knownServers: saved?.defaultServer === defaultServer ? saved.servers : [],
    port: opts.port,
    persist: (servers) =>
      writeFileAtomic(path, `${JSON.stringify({ defaultServer, servers } satisfies SavedServers)}\n`, 0o600),
    logger: opts.logger,
  });
  await balancer.start();
  return balancer;
}

async function readSaved(path: string, log: Logger): Promise<SavedServers | undefined> {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as Partial<SavedServers>;
    if (typeof saved.defaultServer === 'string' && Array.isArray(saved.servers)) {
      return { defaultServer: saved.defaultServer, servers: saved.servers.filter(isHostPort) };
    }
  } catch {
    // Reported below; the agent starts from --server alone.
  }
  log.warn(`ignoring ${path}: not a saved server list`);
  return undefined;
}

function isHostPort(value: unknown): value is string {
  try {
    return typeof value === 'string' && parseHostPort(value) !== undefined;
  } catch {
    return false;
  }
}
