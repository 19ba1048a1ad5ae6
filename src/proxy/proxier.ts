/**
 * The service proxy (kube-proxy's iptables mode): informers on Services and EndpointSlices, and a rate-limited
 * full sync that reads the nat and filter tables, builds our whole rule set (`buildRuleSet`), writes it with one
 * `iptables-restore --noflush` per table, then clears stale UDP flows (conntrack.ts). Stopping leaves the rules
 * in place, as kube-proxy does, so service traffic keeps flowing across an agent restart (the health check
 * node ports of service-health.ts and the proxy's own /healthz of proxy-health.ts close with it);
 * `cleanupServiceProxyRules` removes them.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Informer, R, stripManagedFields, type ApiClient, type SharedInformerPool } from '../client/index.js';
import { realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { cleanupText } from './cleanup-rules.js';
import { localRunner, type CommandRunner } from './command-runner.js';
import { ConntrackCleaner } from './conntrack.js';
import { Iptables, supportsRandomFully } from './iptables.js';
import { buildRuleSet } from './rules.js';
import { ProxyHealth, ProxyHealthServer } from './proxy-health.js';
import { healthCheckPorts, localReadyEndpoints, ServiceHealthServer } from './service-health.js';
import { conntrackTcpLiberal, ensureSysctls } from './sysctls.js';
import { SyncRunner, type Schedule } from './sync-runner.js';

export interface ServiceProxyOptions {
  client: ApiClient;
  /** Informers shared with the node agent's other components: they watch all Services and EndpointSlices. */
  informers?: SharedInformerPool;
  /** This node's name: endpoints on it are the local ones of `Local` traffic policies. */
  nodeName: string;
  /** The cluster's pod CIDR; traffic to a cluster IP from outside it is masqueraded (kube-proxy --cluster-cidr). */
  clusterCidr?: string;
  /** Masquerade all traffic to cluster IPs (kube-proxy --masquerade-all). */
  masqueradeAll?: boolean;
  /** This node's address (kube-proxy's node IP), for load balancers' source ranges that include the node. */
  nodeIP?: string;
  /** Where iptables and sysctl run; default: this host. */
  runner?: CommandRunner;
  clock?: Clock;
  schedule?: Schedule;
  logger?: Logger;
  /** Default 1 s (kube-proxy --iptables-min-sync-period). */
  minSyncPeriodMs?: number;
  /** Default 30 s (kube-proxy --iptables-sync-period). */
  syncPeriodMs?: number;
  /** Where health check node ports listen; default every address. */
  healthCheckAddress?: string;
  /** Where `/healthz` and `/livez` are served (kube-proxy --healthz-bind-address); none when unset. */
  healthzAddress?: { host: string; port: number };
}

export class ServiceProxy {
  private readonly log: Logger;
  private readonly iptables: Iptables;
  private readonly runner: CommandRunner;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly syncRunner: SyncRunner;
  private readonly conntrack: ConntrackCleaner;
  private randomFully = false;
  private localhostNodePorts = false;
  private tcpLiberal = false;
  private readonly nodes: Informer<Node>;
  private syncs = 0;
  private readonly health: ServiceHealthServer;
  private readonly proxyHealth: ProxyHealth;
  private readonly healthz: ProxyHealthServer;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.log = opts.logger ?? silentLogger;
    this.runner = opts.runner ?? localRunner;
    this.iptables = new Iptables(this.runner);
    this.conntrack = new ConntrackCleaner(this.runner, this.log);
    // Every Service and slice (kube-proxy selects on the server): the agent's kubelet and DNS watch them all, and
    // one watch serves the three. The rule builder leaves out those another proxy serves and headless ones.
    this.services =
      opts.informers?.scoped<Service>(R.services) ??
      new Informer(opts.client.resource<Service>(R.services), {
        transform: stripManagedFields,
        logger: this.log.child('services'),
      });
    this.slices =
      opts.informers?.scoped<EndpointSlice>(R.endpointSlices) ??
      new Informer(opts.client.resource<EndpointSlice>(R.endpointSlices), {
        transform: stripManagedFields,
        logger: this.log.child('endpointslices'),
      });
    // The node's deletion and the autoscaler's taint make /healthz fail (the agent's pool watches all nodes).
    this.nodes =
      opts.informers?.scoped<Node>(R.nodes) ??
      new Informer(opts.client.resource<Node>(R.nodes), {
        fieldSelector: `metadata.name=${opts.nodeName}`,
        transform: stripManagedFields,
        logger: this.log.child('nodes'),
      });
    const syncPeriodMs = opts.syncPeriodMs ?? 30_000;
    const clock = opts.clock ?? realClock;
    this.syncRunner = new SyncRunner(() => this.sync(), {
      minIntervalMs: opts.minSyncPeriodMs ?? 1000,
      maxIntervalMs: syncPeriodMs,
      clock,
      ...(opts.schedule ? { schedule: opts.schedule } : {}),
      onError: (err) => {
        this.log.error('syncing service rules failed', { error: String(err) });
      },
    });
    // As kube-proxy: unhealthy once a change has waited two sync periods for its rules.
    this.proxyHealth = new ProxyHealth(clock, 2 * syncPeriodMs);
    this.healthz = new ProxyHealthServer(this.proxyHealth, this.log.child('healthz'));
    this.health = new ServiceHealthServer({
      logger: this.log.child('healthcheck'),
      proxyHealthy: () => this.proxyHealth.isHealthy(),
      ...(opts.healthCheckAddress ? { address: opts.healthCheckAddress } : {}),
    });
  }

  /** Checks iptables, sets the sysctls, fills the caches, then writes the first rule set and keeps it current. */
  async start(): Promise<void> {
    this.randomFully = supportsRandomFully(await this.iptables.version());
    this.localhostNodePorts = (await ensureSysctls(this.runner, this.log)).localhostNodePorts;
    this.tcpLiberal = await conntrackTcpLiberal(this.runner);
    const queue = (): void => {
      this.proxyHealth.queuedUpdate();
      this.syncRunner.request();
    };
    for (const informer of [this.services, this.slices] as Informer<Service | EndpointSlice>[]) {
      informer.addEventHandler({ add: queue, update: queue, delete: queue });
      informer.start();
    }
    const ownNode = (n: Node): void => {
      if (n.metadata?.name === this.opts.nodeName) this.proxyHealth.syncNode(n);
    };
    this.nodes.addEventHandler({ add: ownNode, update: (_, cur) => ownNode(cur), delete: ownNode });
    this.nodes.start();
    // Not before both caches are full: a partial view would remove the rules of services not yet seen.
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    // Healthy from the start, in case no sync ever succeeds (then the first change makes it unhealthy in time).
    this.proxyHealth.updated();
    if (this.opts.healthzAddress) await this.healthz.listen(this.opts.healthzAddress);
    this.syncRunner.start();
  }

  /** Stops watching and syncing, and closes the health check ports; the rules stay. */
  async stop(): Promise<void> {
    this.services.stop();
    this.slices.stop();
    this.nodes.stop();
    await this.syncRunner.stop();
    await this.health.close();
    await this.healthz.close();
  }

  /** The health check ports open now, by `namespace/name`. */
  get healthCheckPorts(): Map<string, number> {
    return this.health.ports;
  }

  /** The port of `/healthz` and `/livez`, once served. */
  get healthzPort(): number | undefined {
    return this.healthz.port;
  }

  /** Completed syncs so far. */
  get syncCount(): number {
    return this.syncs;
  }

  private async sync(): Promise<void> {
    const [nat, filter] = await Promise.all([this.iptables.save('nat'), this.iptables.save('filter')]);
    const services = this.services.list();
    const rules = buildRuleSet({
      services,
      slices: this.slices.list(),
      nodeName: this.opts.nodeName,
      ...(this.opts.clusterCidr ? { clusterCidr: this.opts.clusterCidr } : {}),
      ...(this.opts.nodeIP ? { nodeIP: this.opts.nodeIP } : {}),
      masqueradeAll: this.opts.masqueradeAll ?? false,
      randomFully: this.randomFully,
      localhostNodePorts: this.localhostNodePorts,
      conntrackTcpLiberal: this.tcpLiberal,
      current: { nat, filter },
    });
    // Filter first: a service losing its endpoints is rejected before its DNAT rules go.
    await this.iptables.restore(rules.filter);
    await this.iptables.restore(rules.nat);
    // After the rules: a deleted flow's next packet must meet the new ones.
    await this.conntrack.clean(rules.ports, rules.endpoints);
    // Health checks report what the rules now do.
    const checked = healthCheckPorts(services);
    await this.health.syncServices(checked);
    this.health.syncEndpoints(localReadyEndpoints(rules.ports, rules.endpoints, new Set(checked.keys())));
    this.proxyHealth.updated();
    if (this.syncs++ === 0) {
      this.log.info('service rules written', {
        services: this.services.size,
        endpointSlices: this.slices.size,
      });
    }
  }
}

/** Removes every chain and jump rule the proxy made (kube-proxy --cleanup). */
export async function cleanupServiceProxyRules(runner: CommandRunner = localRunner): Promise<void> {
  const iptables = new Iptables(runner);
  for (const table of ['filter', 'nat'] as const) {
    const text = cleanupText(table, await iptables.save(table));
    if (text) await iptables.restore(text);
  }
}
