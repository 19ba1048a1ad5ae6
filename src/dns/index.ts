/**
 * Cluster DNS: the records of the Kubernetes DNS specification for the cluster domain, from informers, over
 * UDP and TCP; other names forwarded to the upstream resolvers. Wiring (cli/ only):
 *
 *   const dns = await startClusterDns({ client, zone: 'cluster.local', address: '10.42.0.1', port: 53,
 *                                       upstreams: [{ address: '192.0.2.53', port: 53 }], logger });
 *   …
 *   await dns.stop();
 */
import type { ApiClient, SharedInformerPool } from '../client/index.js';
import { realClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ClusterRecords } from './cluster-records.js';
import { Forwarder, type UpstreamServer } from './forwarder.js';
import { feedRecords } from './informer-records.js';
import { normalizeName } from './names.js';
import { Resolver } from './resolver.js';
import { DnsListener } from './server.js';

export { ClusterRecords } from './cluster-records.js';
export { Forwarder, type UpstreamServer } from './forwarder.js';
export { lookup, type LookupConfig, type LookupResult } from './lookup.js';
export { Resolver } from './resolver.js';
export { DnsListener } from './server.js';

/** CoreDNS's default TTL, also its minimum. */
export const DEFAULT_TTL = 5;
/** How long start waits for the informers before serving anyway (names then answer SERVFAIL, not NXDOMAIN). */
const SYNC_WAIT_MS = 5000;

export interface ClusterDnsOptions {
  client: ApiClient;
  /** Informers shared with the node agent's other components (see feedRecords). */
  informers?: SharedInformerPool;
  /** The cluster domain (`cluster.local`). */
  zone: string;
  address: string;
  /** 0 picks a free port (tests). */
  port: number;
  upstreams: UpstreamServer[];
  logger: Logger;
  clock?: Clock;
  ttl?: number;
  /** Per upstream server and query (default 2 s). */
  upstreamTimeoutMs?: number;
}

export interface ClusterDns {
  address: string;
  port: number;
  /** Resolves once the records reflect the cluster. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const records = new ClusterRecords(opts.clock ?? realClock);
  const feed = feedRecords(opts.client, records, opts.logger.child('informers'), opts.informers);
  const resolver = new Resolver(
    records,
    { zone: normalizeName(opts.zone), ttl: opts.ttl ?? DEFAULT_TTL, nameservers: [opts.address] },
    new Forwarder({
      servers: opts.upstreams,
      ...(opts.upstreamTimeoutMs !== undefined ? { timeoutMs: opts.upstreamTimeoutMs } : {}),
    }),
    opts.logger,
  );
  const listener = new DnsListener({
    address: opts.address,
    port: opts.port,
    handler: (message, transport) => resolver.resolve(message, transport),
    logger: opts.logger,
  });
  try {
    await listener.listen();
  } catch (err) {
    feed.stop();
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    feed.synced,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, SYNC_WAIT_MS))),
  ]);
  clearTimeout(timer);
  if (!records.synced) opts.logger.warn('serving DNS before the cluster records are listed');
  return {
    address: listener.address,
    port: listener.port,
    synced: feed.synced,
    stop: async () => {
      feed.stop();
      await listener.close();
    },
  };
}
