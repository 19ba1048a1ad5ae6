/**
 * Enforces NetworkPolicy for the pods of one node (policy-rules.ts), as k3s's embedded network policy controller
 * does: informers on every pod, namespace and NetworkPolicy of the cluster, and a rate-limited full sync of the
 * filter table's policy chains on any change. Stopping leaves the rules (pods stay isolated across an agent
 * restart); `cleanupNetworkPolicyRules` removes them.
 */
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { Informer, R, stripManagedFields, type ApiClient } from '../client/index.js';
import { cleanupText } from '../proxy/cleanup-rules.js';
import { localRunner, type CommandRunner } from '../proxy/command-runner.js';
import { Iptables } from '../proxy/iptables.js';
import { SyncRunner } from '../proxy/sync-runner.js';
import { ensureBridgeNetfilter } from '../proxy/sysctls.js';
import { realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { buildPolicyRules, isNetworkPolicyChain } from './policy-rules.js';

export interface NetworkPolicyAgentOptions {
  client: ApiClient;
  nodeName: string;
  /** Where iptables and sysctl run; default: this host. */
  runner?: CommandRunner;
  clock?: Clock;
  logger?: Logger;
  /** Default 1 s, as the service proxy. */
  minSyncPeriodMs?: number;
}

export class NetworkPolicyAgent {
  private readonly log: Logger;
  private readonly runner: CommandRunner;
  private readonly iptables: Iptables;
  private readonly pods: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  private readonly policies: Informer<NetworkPolicy>;
  private readonly syncRunner: SyncRunner;

  constructor(private readonly opts: NetworkPolicyAgentOptions) {
    this.log = opts.logger ?? silentLogger;
    this.runner = opts.runner ?? localRunner;
    this.iptables = new Iptables(this.runner);
    const informer = <T extends object>(r: Parameters<ApiClient['resource']>[0], what: string): Informer<T> =>
      new Informer(opts.client.resource<T>(r), {
        transform: stripManagedFields,
        logger: this.log.child(what),
      });
    this.pods = informer<Pod>(R.pods, 'pods');
    this.namespaces = informer<Namespace>(R.namespaces, 'namespaces');
    this.policies = informer<NetworkPolicy>(R.networkPolicies, 'networkpolicies');
    this.syncRunner = new SyncRunner(() => this.sync(), {
      minIntervalMs: opts.minSyncPeriodMs ?? 1000,
      maxIntervalMs: 30_000,
      clock: opts.clock ?? realClock,
      onError: (err) => this.log.error('syncing network policy rules failed', { error: String(err) }),
    });
  }

  async start(): Promise<void> {
    await ensureBridgeNetfilter(
      this.runner,
      this.log,
      'policies do not see traffic between pods of one node',
    );
    const request = (): void => this.syncRunner.request();
    for (const i of [this.pods, this.namespaces, this.policies] as Informer<object>[]) {
      i.addEventHandler({ add: request, update: request, delete: request });
      i.start();
    }
    // A partial view would lift isolation from pods whose policies are not seen yet.
    await Promise.all([this.pods.waitForSync(), this.namespaces.waitForSync(), this.policies.waitForSync()]);
    this.syncRunner.start();
  }

  async stop(): Promise<void> {
    for (const i of [this.pods, this.namespaces, this.policies] as Informer<object>[]) i.stop();
    await this.syncRunner.stop();
  }

  private async sync(): Promise<void> {
    const text = buildPolicyRules({
      policies: this.policies.list(),
      pods: this.pods.list(),
      namespaces: this.namespaces.list(),
      nodeName: this.opts.nodeName,
      current: await this.iptables.save('filter'),
    });
    await this.iptables.restore(text);
  }
}

/** Removes every chain and jump rule of the network policy agent. */
export async function cleanupNetworkPolicyRules(runner: CommandRunner = localRunner): Promise<void> {
  const iptables = new Iptables(runner);
  const text = cleanupText('filter', await iptables.save('filter'), isNetworkPolicyChain);
  if (text) await iptables.restore(text);
}
