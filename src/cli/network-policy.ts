/**
 * Starts the node's NetworkPolicy enforcement beside the service proxy, under the same conditions (real
 * containers with pod IPs on a bridge, root, iptables); otherwise logs why it is off.
 */
import { ApiClient, type ClientConfig, type Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';

export interface NetworkPolicyWiring {
  /** --disable-network-policy */
  disabled: boolean;
  runtimeKind: 'oci' | 'process';
  nodeName: string;
  client: ClientConfig;
  logger: Logger;
}

export async function startNetworkPolicy(w: NetworkPolicyWiring): Promise<Stoppable | undefined> {
  const log = w.logger;
  const { serviceProxyUnavailable } = await import('../proxy/index.js');
  const off = w.disabled
    ? 'disabled by --disable-network-policy'
    : w.runtimeKind !== 'oci'
      ? 'the process runtime gives pods no network of their own to filter'
      : await serviceProxyUnavailable();
  if (off) {
    log.info(`network policy enforcement off: ${off}`);
    return undefined;
  }
  const { NetworkPolicyAgent } = await import('../netpol/index.js');
  const client = new ApiClient({ userAgent: `tugboat-netpol/${w.nodeName}`, ...w.client });
  const agent = new NetworkPolicyAgent({ client, nodeName: w.nodeName, logger: log });
  try {
    await agent.start();
  } catch (err) {
    await agent.stop();
    client.close();
    throw err;
  }
  log.info('network policy enforcement running (iptables)');
  return {
    stop: async () => {
      await agent.stop();
      client.close();
    },
  };
}
