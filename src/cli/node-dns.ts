/**
 * The cluster DNS of one node, node-local as NodeLocal DNSCache is: the agent serves it on its pod network's
 * gateway address (the bridge's, the pod CIDR's first address), which pods reach directly through their
 * default route, so no service proxy is needed. The kubelet writes that address into ClusterFirst pods'
 * resolv.conf. The address exists only once the node has a pod CIDR, so the server starts then, before the
 * runtime may create any pod sandbox. The address is also published on the Node, for the kube-dns Service.
 *
 * With `--cluster-dns` the user runs the server; pods get that address and we start none. With the process
 * runtime no server starts either: its pods share the host's network and read the host's /etc/resolv.conf,
 * which tugboat does not rewrite, so a server on 127.0.0.1:53 would answer no pod.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { ANN_CLUSTER_DNS_ADDRESS } from '../api/cluster-dns.js';
import type { ClientConfig, SharedInformerPool } from '../client/index.js';
import type { Logger } from '../util/logger.js';

export interface ClusterDnsConfig {
  servers: string[];
  domain: string;
}

export interface NodeDnsOptions {
  nodeName: string;
  client: ClientConfig;
  /** Informers shared with the kubelet and the service proxy. */
  informers?: SharedInformerPool;
  /** `--cluster-dns`: addresses of a DNS server the user runs (empty: serve our own). */
  clusterDns: string[];
  clusterDomain: string;
  /**
   * Makes the pod network's gateway address exist on the host and returns it; undefined when pods do not get
   * a network of their own (the process runtime).
   */
  ensureGateway: ((podCidr: string) => Promise<string>) | undefined;
  /** The host's resolvers, where names outside the cluster domain go. */
  upstreams: () => string[];
  logger: Logger;
  /** Port of the server (53; tests may pick another). */
  port?: number;
}

interface RunningDns {
  address: string;
  stop(): Promise<void>;
}

export class NodeDns {
  private running: RunningDns | undefined;
  private cidr = '';

  constructor(private readonly opts: NodeDnsOptions) {
    const log = opts.logger;
    if (opts.clusterDns.length > 0) {
      log.info('cluster DNS: pods use the --cluster-dns servers; tugboat serves none', {
        servers: opts.clusterDns,
      });
    } else if (!opts.ensureGateway) {
      log.info(
        "cluster DNS not served: the process runtime runs pods on the host's network with the host's " +
          '/etc/resolv.conf, which tugboat leaves alone (a server on 127.0.0.1:53 would answer no pod); run the ' +
          'oci runtime, or give --cluster-dns',
      );
    }
  }

  /** What the kubelet writes into ClusterFirst pods' resolv.conf; undefined: the host's resolver. */
  current(): ClusterDnsConfig | undefined {
    if (this.opts.clusterDns.length > 0)
      return { servers: this.opts.clusterDns, domain: this.opts.clusterDomain };
    return this.running ? { servers: [this.running.address], domain: this.opts.clusterDomain } : undefined;
  }

  /** The node's pod CIDR is (re)assigned: serve on its gateway. Call before the runtime takes the CIDR. */
  async onPodCidr(cidr: string): Promise<void> {
    if (this.opts.clusterDns.length > 0 || !this.opts.ensureGateway) {
      // A node that served DNS before (another runtime, no --cluster-dns) must leave kube-dns's endpoints.
      await this.publishAddress(undefined);
      return;
    }
    if (cidr === this.cidr && this.running) return;
    this.cidr = cidr;
    await this.stop();
    const log = this.opts.logger;
    try {
      const address = await this.opts.ensureGateway(cidr);
      const upstreams = this.opts.upstreams().filter((a) => a !== address);
      if (upstreams.length === 0)
        log.warn('no upstream resolvers in the host resolv.conf: only cluster names resolve');
      const [{ startClusterDns }, { ApiClient }] = await Promise.all([
        import('../dns/index.js'),
        import('../client/index.js'),
      ]);
      const client = new ApiClient({ userAgent: `tugboat-dns/${this.opts.nodeName}`, ...this.opts.client });
      const dns = await startClusterDns({
        client,
        zone: this.opts.clusterDomain,
        address,
        port: this.opts.port ?? 53,
        upstreams: upstreams.map((a) => ({ address: a, port: 53 })),
        logger: log,
        ...(this.opts.informers ? { informers: this.opts.informers } : {}),
      }).catch((err: unknown) => {
        client.close();
        throw err;
      });
      this.running = {
        address,
        stop: async () => {
          await dns.stop();
          client.close();
        },
      };
      await this.publishAddress(address);
      log.info('cluster DNS serving', {
        address: `${address}:${dns.port}`,
        zone: this.opts.clusterDomain,
        upstreams,
      });
    } catch (err) {
      // Pods then keep the host's resolver: worse than cluster DNS, better than no pods.
      log.error("cluster DNS not started; pods get the host's resolver", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Keeps the Node's cluster DNS annotation at `address` (removed when undefined), from which the control plane
   * gives the kube-dns Service its endpoints. A failure is logged: pods reach the server directly regardless.
   */
  private async publishAddress(address: string | undefined): Promise<void> {
    const { ApiClient, R } = await import('../client/index.js');
    const client = new ApiClient({ userAgent: `tugboat-dns/${this.opts.nodeName}`, ...this.opts.client });
    try {
      const nodes = client.resource<Node>(R.nodes);
      const node = await nodes.get('', this.opts.nodeName);
      if (node.metadata?.annotations?.[ANN_CLUSTER_DNS_ADDRESS] === address) return;
      await nodes.patch('', this.opts.nodeName, 'merge', {
        metadata: { annotations: { [ANN_CLUSTER_DNS_ADDRESS]: address ?? null } },
      });
    } catch (err) {
      this.opts.logger.warn('publishing the cluster DNS address on the Node failed', {
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }
}
