/**
 * Starts the node's service proxy beside the kubelet when the agent runs real containers (the oci runtime,
 * so root with pod IPs on a bridge) and iptables is there; otherwise logs why it is off.
 */
import { ApiClient, type ClientConfig, type SharedInformerPool, type Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';

export interface ServiceProxyWiring {
  /** --disable-kube-proxy */
  disabled: boolean;
  runtimeKind: 'oci' | 'process';
  nodeName: string;
  clusterCidr?: string;
  /** The node's InternalIP (default: detected as the kubelet does). */
  nodeIP?: string;
  /** Where `/healthz` and `/livez` are served; none when unset. */
  healthzAddress?: { host: string; port: number };
  client: ClientConfig;
  /** Informers shared with the kubelet and the node DNS. */
  informers?: SharedInformerPool;
  logger: Logger;
}

/** Why the proxy stays off before looking at the host (flag, runtime), or undefined. */
export function serviceProxyOffReason(
  w: Pick<ServiceProxyWiring, 'disabled' | 'runtimeKind'>,
): string | undefined {
  if (w.disabled) return 'disabled by --disable-kube-proxy';
  if (w.runtimeKind !== 'oci')
    return 'the process runtime gives pods no IPs of their own to route services to';
  return undefined;
}

export async function startServiceProxy(w: ServiceProxyWiring): Promise<Stoppable | undefined> {
  const log = w.logger;
  const { ServiceProxy, serviceProxyUnavailable } = await import('../proxy/index.js');
  const off = serviceProxyOffReason(w) ?? (await serviceProxyUnavailable());
  if (off) {
    log.info(`service proxy off: ${off}`);
    return undefined;
  }
  const client = new ApiClient({ userAgent: `tugboat-proxy/${w.nodeName}`, ...w.client });
  const { detectNodeIP } = await import('../kubelet/node/host-readings.js');
  const proxy = new ServiceProxy({
    client,
    nodeName: w.nodeName,
    // The address the kubelet reports as the node's InternalIP.
    nodeIP: w.nodeIP ?? detectNodeIP(),
    ...(w.clusterCidr ? { clusterCidr: w.clusterCidr } : {}),
    ...(w.informers ? { informers: w.informers } : {}),
    ...(w.healthzAddress ? { healthzAddress: w.healthzAddress } : {}),
    logger: log,
  });
  try {
    await proxy.start();
  } catch (err) {
    await proxy.stop();
    client.close();
    throw err;
  }
  log.info('service proxy running (iptables mode)');
  return {
    stop: async () => {
      await proxy.stop();
      client.close();
    },
  };
}
