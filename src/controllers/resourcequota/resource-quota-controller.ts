import type { PersistentVolumeClaim, Pod, ResourceQuota, Service } from 'kubernetes-types/core/v1.js';
import {
  R,
  splitKey,
  type ClientObject,
  type Informer,
  type ResourceType,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { computeUsage, LEGACY_COUNT_NAMES, quotaScopes } from '../../api/quota-usage.js';

/** `count/<resource>[.<group>]` → the resource, for every resource the client knows. */
const COUNTABLE = new Map<string, ResourceType>(
  Object.values(R)
    .filter((r) => r.namespaced)
    .map((r) => [`count/${r.group ? `${r.resource}.${r.group}` : r.resource}`, r]),
);

/**
 * Counted resources watched once a quota counts them, rather than from the start as upstream does: a cluster
 * without such a quota would otherwise cache every ConfigMap and Secret in this process (the whole objects, to
 * count them) and parse every write to them.
 */
const WATCHED_WHEN_COUNTED = new Map<string, ResourceType>([
  ['count/configmaps', R.configMaps],
  ['count/secrets', R.secrets],
  ['count/replicationcontrollers', R.replicationControllers],
]);

/**
 * Upstream's resource quota controller: status.hard mirrors spec.hard and status.used adds up what the
 * namespace's objects use of each listed resource (pods and their cpu/memory requests and limits, object
 * counts, services.nodeports / loadbalancers, claims and storage), recomputed when those objects change and
 * every resync period.
 */
export class ResourceQuotaController extends QueueController {
  private readonly quotas: Informer<ResourceQuota>;
  private readonly pods: Informer<Pod>;
  private readonly services: Informer<Service>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  /** Informers that back object counts, by `count/<resource>` name. */
  private readonly counted = new Map<string, Informer<ClientObject>>();
  private readonly resyncMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(ctx: ControllerContext) {
    super('resourcequota-controller', ctx);
    const period = ctx.options.resourceQuotaSyncPeriodMs;
    this.resyncMs = typeof period === 'number' && period > 0 ? period : 5 * 60_000;
    this.quotas = ctx.informers.informer<ResourceQuota>(R.resourceQuotas);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.services = ctx.informers.informer<Service>(R.services);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.counted.set('count/services', this.services as Informer<ClientObject>);
    this.counted.set('count/persistentvolumeclaims', this.claims as Informer<ClientObject>);
    this.counted.set('count/resourcequotas', this.quotas as Informer<ClientObject>);

    this.quotas.addEventHandler({
      add: (q) => this.enqueue(q),
      update: (old, q) => {
        // Our own status writes come back as updates: only spec changes (or a missing status) matter here.
        if (JSON.stringify(old.spec) !== JSON.stringify(q.spec) || !q.status?.hard) this.enqueue(q);
      },
    });
    // Pods count through the pod evaluator (terminal pods excluded), not as plain objects.
    this.pods.addEventHandler(this.recount);
    for (const informer of new Set(this.counted.values())) {
      if (informer === (this.quotas as Informer<ClientObject>)) continue;
      informer.addEventHandler(this.recount);
    }
    this.quotas.addEventHandler({ add: this.recount.add, delete: this.recount.delete });
  }

  /** A counted object changed: the quotas of its namespace are looked at again. */
  private readonly recount = {
    add: (o: ClientObject): void => this.enqueueNamespace(o.metadata?.namespace ?? ''),
    update: (_: ClientObject, o: ClientObject): void => this.enqueueNamespace(o.metadata?.namespace ?? ''),
    delete: (o: ClientObject): void => this.enqueueNamespace(o.metadata?.namespace ?? ''),
  };

  /** The informer a count comes from; one of WATCHED_WHEN_COUNTED starts when first asked for. */
  private countInformer(name: string): Informer<ClientObject> | undefined {
    let informer = this.counted.get(name);
    const type = WATCHED_WHEN_COUNTED.get(name);
    if (informer || !type) return informer;
    informer = this.ctx.informers.informer<ClientObject>(type);
    informer.addEventHandler(this.recount);
    this.counted.set(name, informer);
    return informer;
  }

  override run(): void {
    super.run();
    this.timer ??= setInterval(() => {
      for (const q of this.quotas.list()) this.enqueue(q);
    }, this.resyncMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
  }

  private enqueueNamespace(namespace: string): void {
    for (const q of this.quotas.list(namespace)) this.enqueue(q);
  }

  private async countOf(name: string, namespace: string): Promise<number | undefined> {
    if (name === 'count/pods') return undefined;
    const informer = this.countInformer(name);
    if (informer) {
      await informer.waitForSync();
      // Stopped before it synced (this replica lost its lease): no count rather than a wrong one.
      return informer.hasSynced() ? informer.list(namespace).length : undefined;
    }
    const type = COUNTABLE.get(name);
    if (!type) return undefined;
    const list = await this.ctx.client.resource(type).listAll(namespace);
    return list.items.length;
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const quota = this.quotas.get(namespace, name);
    if (!quota) return;
    const hard = quota.spec?.hard ?? {};
    const names = Object.keys(hard);
    const counts = new Map<string, number>();
    for (const n of names) {
      const countName = LEGACY_COUNT_NAMES[n] ?? n;
      if (!countName.startsWith('count/')) continue;
      const c = await this.countOf(countName, namespace);
      if (c !== undefined) counts.set(countName, c);
    }
    const used = computeUsage(names, quotaScopes(quota.spec), {
      pods: this.pods.list(namespace),
      services: this.services.list(namespace),
      persistentVolumeClaims: this.claims.list(namespace),
      counts,
    });
    const status = { hard: { ...hard }, used };
    if (
      JSON.stringify(sorted(quota.status?.hard)) === JSON.stringify(sorted(status.hard)) &&
      JSON.stringify(sorted(quota.status?.used)) === JSON.stringify(sorted(used))
    )
      return;
    await this.ctx.client.resource<ResourceQuota>(R.resourceQuotas).updateStatus({ ...quota, status });
  }
}

function sorted(m: Record<string, unknown> | undefined): [string, unknown][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
}
