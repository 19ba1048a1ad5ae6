import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { Informer, R, type ApiClient, type Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import { formatHostPort } from './host-port.js';
import type { ServerLoadBalancer } from './server-load-balancer.js';

/**
 * The API servers' addresses from the `default/kubernetes` Endpoints (each server keeps its own address there
 * while it runs), as `host:port`. The https port, else the first one.
 */
export function serverAddresses(endpoints: Endpoints): string[] {
  const out: string[] = [];
  for (const subset of endpoints.subsets ?? []) {
    const port = (subset.ports?.find((p) => p.name === 'https') ?? subset.ports?.[0])?.port;
    if (!port) continue;
    for (const a of subset.addresses ?? []) if (a.ip) out.push(formatHostPort({ host: a.ip, port }));
  }
  return out.sort();
}

/**
 * Keeps the balancer's server list in step with the `kubernetes` Endpoints, as k3s agents follow the servers of
 * their cluster. An Endpoints object without addresses (no server has written it yet) changes nothing.
 */
export function followClusterServers(
  client: ApiClient,
  balancer: ServerLoadBalancer,
  logger: Logger,
): Stoppable & { informer: Informer<Endpoints> } {
  const informer = new Informer<Endpoints>(client.resource<Endpoints>(R.endpoints), {
    namespace: 'default',
    fieldSelector: 'metadata.name=kubernetes',
    logger,
  });
  const apply = (endpoints: Endpoints): void => {
    const addresses = serverAddresses(endpoints);
    if (addresses.length > 0) balancer.setServers(addresses);
  };
  informer.addEventHandler({ add: apply, update: (_old, cur) => apply(cur) });
  informer.start();
  return {
    informer,
    stop: () => Promise.resolve(informer.stop()),
  };
}
