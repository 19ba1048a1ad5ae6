import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import {
  ApiClient,
  R,
  SharedInformerPool,
  stripManagedFields,
  type ClientConfig,
  type Stoppable,
} from '../client/index.js';
import type { ClusterSettings, FlannelBackend } from '../apiserver/join/node-join.js';
import type { SoftThresholds, Thresholds } from '../kubelet/eviction/thresholds.js';
import { realClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

export type ContainerRuntimeKind = 'auto' | 'oci' | 'process';

export interface AgentOptions {
  dataDir: string;
  nodeName: string;
  /** The node's InternalIP (default: the host's first non-loopback IPv4 address). */
  nodeIp?: string;
  client: ClientConfig;
  containerRuntime: ContainerRuntimeKind;
  logger: Logger;
  /**
   * The agent's HTTPS endpoint (logs, exec, attach, /metrics/resource): its port (0 = any) and TLS material,
   * a serving certificate and the cluster CA whose client certificates (CN kube-apiserver-kubelet-client) it lets in.
   */
  server?: { port: number; tls: { certPem: string; keyPem: string; caPem: string } };
  /** Disk usage (percent) of the image filesystem at which unused images are removed, and the target. */
  imageGcHighThresholdPercent?: number;
  imageGcLowThresholdPercent?: number;
  /** Container log rotation: size (bytes) past which a log is rotated, and files kept per container. */
  containerLogMaxSizeBytes?: number;
  containerLogMaxFiles?: number;
  /** Hard eviction thresholds (`--eviction-hard`; default upstream's). */
  evictionThresholds?: Thresholds;
  /** Soft eviction thresholds and their grace periods (`--eviction-soft`, `--eviction-soft-grace-period`). */
  evictionSoft?: SoftThresholds;
  /** `--eviction-max-pod-grace-period` (default 0). */
  evictionMaxPodGracePeriodSeconds?: number;
  /** The service proxy (kube-proxy's iptables mode): off with --disable-kube-proxy; the cluster's pod CIDR. */
  serviceProxy?: { disabled: boolean };
  /** Where the service proxy serves `/healthz` and `/livez` (`--kube-proxy-healthz-bind-address`); none if unset. */
  proxyHealthzAddress?: { host: string; port: number };
  /** The cluster's pod range: the proxy's and the pod network's idea of what is a pod address. */
  clusterCidr?: string;
  /** How pods reach other nodes' pods (`--flannel-backend`; default host-gw, what servers without it ran). */
  flannelBackend?: FlannelBackend;
  /** NetworkPolicy enforcement: off with --disable-network-policy. */
  networkPolicy?: { disabled: boolean };
  /** `--cluster-dns`: a DNS server the user runs, for pods' resolv.conf (default: ours, node-local). */
  clusterDns?: string[];
  /** `--cluster-domain` (default cluster.local). */
  clusterDomain?: string;
}

/**
 * The node agent for this host: the image store under `DATA_DIR/agent/images`, the container runtime
 * (`--container-runtime`: oci where root and runc/crun with the CNI plugins work, else the process runtime),
 * the kubelet, the node's cluster DNS (node-dns.ts) and, with real containers, the service proxy. The runtime
 * starts without a pod network; the node's pod CIDR reaches it once the server's node IPAM controller has
 * assigned one (CRI's UpdateRuntimeConfig).
 */
export async function startAgent(opts: AgentOptions): Promise<Stoppable> {
  const [
    { openNodeImageService },
    { selectRuntime, OciRuntime },
    { Kubelet, readHostResolvConf },
    { AgentServer },
    { NodeDns },
  ] = await Promise.all([
    import('../kubelet/images/index.js'),
    import('../kubelet/runtimes/index.js'),
    import('../kubelet/index.js'),
    import('../kubelet/server/index.js'),
    import('./node-dns.js'),
  ]);
  const log = opts.logger;
  const rootDir = join(opts.dataDir, 'agent');
  const images = await openNodeImageService({ dataDir: opts.dataDir, clock: realClock });
  const ociBinary = ociBinaryFromEnv(process.env.TUGBOAT_OCI_RUNTIME);
  const backend = opts.flannelBackend ?? 'host-gw';
  const selected = await selectRuntime({
    kind: opts.containerRuntime,
    dataDir: rootDir,
    images,
    podCidr: '',
    logger: log.child('runtime'),
    ...(ociBinary ? { ociBinary } : {}),
    ...(backend === 'vxlan' ? { podMtu: await vxlanPodMtuFor(opts.nodeIp) } : {}),
  });
  log.info(`container runtime: ${selected.kind}`, selected.rejected.length ? { oci: selected.rejected } : {});
  const runtime = selected.runtime;
  const client = new ApiClient({ userAgent: `tugboat-kubelet/${opts.nodeName}`, ...opts.client });
  // One watch per resource for the kubelet, the node DNS and the service proxy: every Service change otherwise
  // reached each node three times (and each EndpointSlice change twice).
  const informers = new SharedInformerPool(client, {
    logger: log.child('informers'),
    transform: stripManagedFields,
  });
  const nodeDns = new NodeDns({
    nodeName: opts.nodeName,
    client: opts.client,
    informers,
    clusterDns: opts.clusterDns ?? [],
    clusterDomain: opts.clusterDomain ?? 'cluster.local',
    ensureGateway: runtime instanceof OciRuntime ? (cidr) => runtime.cni.ensureGateway(cidr) : undefined,
    upstreams: () => readHostResolvConf()?.servers ?? [],
    logger: log.child('dns'),
  });
  const server = opts.server
    ? new AgentServer({ runtime, tls: opts.server.tls, port: opts.server.port, logger: log.child('server') })
    : undefined;
  const kubeletPort = server ? await server.listen() : undefined;
  if (server) log.info('agent endpoint serving', { port: kubeletPort });
  const kubelet = new Kubelet({
    nodeName: opts.nodeName,
    client,
    informers,
    runtime,
    imageService: images,
    rootDir,
    localPathDir: join(opts.dataDir, 'storage'),
    containerLogRotation: {
      ...(opts.containerLogMaxSizeBytes !== undefined ? { maxSizeBytes: opts.containerLogMaxSizeBytes } : {}),
      ...(opts.containerLogMaxFiles !== undefined ? { maxFiles: opts.containerLogMaxFiles } : {}),
    },
    imageGc: {
      collect: (inUse) =>
        images.collectGarbage(
          {
            highThresholdPercent: opts.imageGcHighThresholdPercent ?? 85,
            lowThresholdPercent: opts.imageGcLowThresholdPercent ?? 80,
            minAgeMs: 2 * 60_000,
          },
          inUse,
        ),
    },
    logger: log.child('kubelet'),
    ...(opts.evictionThresholds ? { thresholds: opts.evictionThresholds } : {}),
    ...(opts.evictionSoft ? { softThresholds: opts.evictionSoft } : {}),
    ...(opts.evictionMaxPodGracePeriodSeconds !== undefined
      ? { evictionMaxPodGracePeriodSeconds: opts.evictionMaxPodGracePeriodSeconds }
      : {}),
    ...(kubeletPort !== undefined ? { kubeletPort } : {}),
    ...(opts.nodeIp !== undefined ? { nodeIP: opts.nodeIp } : {}),
    clusterDns: () => nodeDns.current(),
    onPodCIDR: async (cidr) => {
      log.info('pod CIDR assigned', { podCIDR: cidr });
      // The DNS server first: no sandbox may start before ClusterFirst pods can be pointed at it.
      await nodeDns.onPodCidr(cidr);
      await runtime.updateRuntimeConfig?.({ podCidr: cidr });
    },
  });
  await kubelet.start();
  const { startServiceProxy } = await import('./service-proxy.js');
  const proxy = await startServiceProxy({
    disabled: opts.serviceProxy?.disabled ?? false,
    runtimeKind: selected.kind,
    nodeName: opts.nodeName,
    ...(opts.clusterCidr ? { clusterCidr: opts.clusterCidr } : {}),
    ...(opts.nodeIp !== undefined ? { nodeIP: opts.nodeIp } : {}),
    ...(opts.proxyHealthzAddress ? { healthzAddress: opts.proxyHealthzAddress } : {}),
    client: opts.client,
    informers,
    logger: log.child('proxy'),
  }).catch(async (err: unknown) => {
    await kubelet.stop();
    await nodeDns.stop();
    await server?.close();
    client.close();
    throw err;
  });
  const { startNetworkPolicy } = await import('./network-policy.js');
  const netpol = await startNetworkPolicy({
    disabled: opts.networkPolicy?.disabled ?? false,
    runtimeKind: selected.kind,
    nodeName: opts.nodeName,
    client: opts.client,
    logger: log.child('netpol'),
  }).catch(async (err: unknown) => {
    await proxy?.stop();
    await kubelet.stop();
    await nodeDns.stop();
    await server?.close();
    client.close();
    throw err;
  });
  const podRoutes =
    runtime instanceof OciRuntime && opts.clusterCidr && backend !== 'none'
      ? await startPodRoutes({
          nodeName: opts.nodeName,
          clusterCidr: opts.clusterCidr,
          backend,
          client: opts.client,
          informers,
          log: log.child('podnet'),
        })
      : undefined;
  if (runtime instanceof OciRuntime && backend === 'none') {
    log.info('no routes to other nodes’ pods (--flannel-backend none): that is left to you');
  }
  return {
    stop: async () => {
      // The proxy's, the policies' and the pod network's rules stay, so service traffic flows, pods stay isolated
      // and reach other nodes' pods while the agent restarts.
      await podRoutes?.stop();
      await netpol?.stop();
      await proxy?.stop();
      await kubelet.stop();
      await nodeDns.stop();
      await server?.close();
      client.close();
    },
  };
}

/** `TUGBOAT_OCI_RUNTIME=runc|crun` pins the OCI binary (default: crun where it works, else runc). */
export function ociBinaryFromEnv(value: string | undefined): 'runc' | 'crun' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'runc' || value === 'crun') return value;
  throw new Error(`TUGBOAT_OCI_RUNTIME must be runc or crun, not ${JSON.stringify(value)}`);
}

/** The MTU for pods over VXLAN, from the interface holding the node's address (given or detected). */
async function vxlanPodMtuFor(nodeIp: string | undefined): Promise<number> {
  const [{ vxlanPodMtu }, { localRunner }, { detectNodeIP }] = await Promise.all([
    import('../podnet/index.js'),
    import('../proxy/command-runner.js'),
    import('../kubelet/node/host-readings.js'),
  ]);
  return vxlanPodMtu(localRunner, nodeIp ?? detectNodeIP());
}

/** Routes to the other nodes' pod networks, for agents that give pods addresses of their own. */
async function startPodRoutes(p: {
  nodeName: string;
  clusterCidr: string;
  backend: 'vxlan' | 'host-gw';
  client: ClientConfig;
  informers: SharedInformerPool;
  log: Logger;
}): Promise<Stoppable> {
  const { PodRoutesAgent } = await import('../podnet/index.js');
  // The node's own client: its VXLAN device's annotations are a patch of its own Node.
  const publish = async (annotations: Record<string, string>): Promise<void> => {
    const client = new ApiClient({ userAgent: `tugboat-podnet/${p.nodeName}`, ...p.client });
    try {
      await client.resource<Node>(R.nodes).patch('', p.nodeName, 'merge', { metadata: { annotations } });
    } finally {
      client.close();
    }
  };
  const agent = new PodRoutesAgent({
    nodeName: p.nodeName,
    clusterCidr: p.clusterCidr,
    backend: p.backend,
    publish,
    nodes: p.informers.scoped<Node>(R.nodes),
    logger: p.log,
  });
  await agent.start();
  p.log.info(`routing pod traffic between nodes (${p.backend})`, { clusterCidr: p.clusterCidr });
  return agent;
}

/** The agent options that follow from the cluster's settings, which an agent takes from its server. */
export function agentClusterOptions(
  c: ClusterSettings,
): Pick<
  AgentOptions,
  'serviceProxy' | 'clusterCidr' | 'flannelBackend' | 'networkPolicy' | 'clusterDns' | 'clusterDomain'
> {
  return {
    serviceProxy: { disabled: c.disableKubeProxy },
    clusterCidr: c.clusterCidr,
    // A server from before the setting ran host-gw everywhere.
    flannelBackend: c.flannelBackend ?? 'host-gw',
    networkPolicy: { disabled: c.disableNetworkPolicy },
    clusterDns: c.clusterDns,
    clusterDomain: c.clusterDomain,
  };
}
