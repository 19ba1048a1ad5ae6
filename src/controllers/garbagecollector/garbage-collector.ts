import { hasReason } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import {
  runWorkers,
  WorkQueue,
  type Informer,
  type DeleteOptions,
  type EventRecorder,
  type ResourceType,
  type SyncResult,
} from '../../client/index.js';
import type { Logger } from '../../util/logger.js';
import type { Controller, ControllerContext } from '../context.js';
import { AbsentOwners } from './absent-owners.js';
import { deletableResources, groupKind } from './discovery.js';
import {
  DependencyGraph,
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  hasFinalizer,
  type GraphNode,
  type ObjectIdentity,
} from './graph.js';
import { cloneJson } from '../../api/meta.js';

type Policy = NonNullable<DeleteOptions['propagationPolicy']>;

/** How often new resources (CRDs, aggregated APIs) are looked for, as upstream's 30 s resync of discovery. */
const DISCOVERY_PERIOD_MS = 30_000;
const UPDATE_RETRIES = 5;
const SYNC_TIMEOUT_MS = 30_000;

class NotObservedYet extends Error {}

/**
 * extensions/v1beta1 serves the same objects as apps/v1 and networking.k8s.io/v1: watching both would hold every
 * object twice. The alias stays known for owner references that name it.
 */
function isLegacyAlias(type: ResourceType, all: ResourceType[]): boolean {
  return (
    type.group === 'extensions' &&
    all.some((t) => t.group !== 'extensions' && t.resource === type.resource && t.kind === type.kind)
  );
}

/**
 * Upstream's garbage collector: watches every deletable resource, keeps the owner→dependents graph, deletes
 * dependents whose owners are all gone, and carries out foreground deletion (`foregroundDeletion` finalizer) and
 * orphaning (`orphan` finalizer).
 */
export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly deleteQueue = new WorkQueue<string>();
  private readonly orphanQueue = new WorkQueue<string>();
  readonly graph: DependencyGraph;
  private readonly absent = new AbsentOwners();
  private readonly byGroupKind = new Map<string, ResourceType>();
  private readonly monitors = new Map<string, Informer<KubeObject>>();
  private readonly events: EventRecorder;
  private readonly logger: Logger;
  private running: Promise<unknown> | undefined;
  private discovering: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext) {
    this.logger = ctx.logger.child(this.name);
    this.events = ctx.events('garbage-collector-controller');
    this.graph = new DependencyGraph({
      attemptToDelete: (n) => this.deleteQueue.add(n.uid),
      attemptToOrphan: (n) => this.orphanQueue.add(n.uid),
    });
  }

  run(): void {
    this.running ??= this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.deleteQueue.shutDown();
    this.orphanQueue.shutDown();
    await this.running;
  }

  private async start(): Promise<unknown> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.discover();
        break;
      } catch (err) {
        this.logger.warn('discovery failed, retrying', { error: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
      }
    }
    // Foreground deletion trusts the graph's view of dependents: wait until every monitor has listed (for a
    // while: a resource that cannot be listed must not stop collection altogether, as upstream).
    let timer: NodeJS.Timeout | undefined;
    const synced = await Promise.race([
      Promise.all([...this.monitors.values()].map((i) => i.waitForSync())).then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), SYNC_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!synced) this.logger.warn('not every resource could be listed; collecting garbage anyway');
    this.scheduleDiscovery();
    const workers = this.ctx.options.workers ?? 5;
    return Promise.all([
      runWorkers(this.deleteQueue, workers, (uid) => this.attemptToDelete(uid), this.logger),
      runWorkers(this.orphanQueue, workers, (uid) => this.attemptToOrphan(uid), this.logger),
    ]);
  }

  private scheduleDiscovery(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.discover()
        .catch((err: unknown) => this.logger.warn('discovery failed', { error: String(err) }))
        .finally(() => this.scheduleDiscovery());
    }, DISCOVERY_PERIOD_MS);
    this.timer.unref();
  }

  /** Finds deletable resources and starts a monitor (shared informer) for each new one. */
  private discover(): Promise<void> {
    this.discovering ??= (async () => {
      try {
        const types = await deletableResources(this.ctx.client);
        for (const type of types) {
          const gk = `${type.group}/${type.kind}`;
          this.byGroupKind.set(gk, type);
          if (this.monitors.has(gk) || this.stopped || isLegacyAlias(type, types)) continue;
          const informer = this.ctx.informers.informer<KubeObject>(type);
          this.monitors.set(gk, informer);
          informer.addEventHandler({
            add: (o) => this.graph.observe(o),
            update: (old, o) => this.graph.observe(o, old),
            delete: (o) => o.metadata?.uid && this.graph.remove(o.metadata.uid),
          });
        }
      } finally {
        this.discovering = undefined;
      }
    })();
    return this.discovering;
  }

  private async resourceFor(apiVersion: string, kind: string): Promise<ResourceType> {
    const gk = groupKind(apiVersion, kind);
    if (!this.byGroupKind.has(gk)) await this.discover();
    const type = this.byGroupKind.get(gk);
    if (!type) throw new Error(`unable to get REST mapping for ${apiVersion}/${kind}`);
    return type;
  }

  private async getLive(
    type: ResourceType,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.resource<KubeObject>(type).get(type.namespaced ? namespace : '', name);
    } catch (err) {
      if (hasReason(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async getLiveNode(id: ObjectIdentity): Promise<{ type: ResourceType; obj?: KubeObject }> {
    const type = await this.resourceFor(id.apiVersion, id.kind);
    const obj = await this.getLive(type, id.namespace, id.name);
    return { type, ...(obj && obj.metadata?.uid === id.uid ? { obj } : {}) };
  }

  /** Upstream attemptToDeleteItem: decides whether a node's owners are all gone and deletes it if so. */
  private async attemptToDelete(uid: string): Promise<SyncResult | void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (!node.virtual && node.beingDeleted && !node.deletingDependents) return;
    if (node.virtual && !node.identity.namespace) {
      // Named by cluster-scoped dependents: a namespaced owner can never be found for them.
      const type = await this.resourceFor(node.identity.apiVersion, node.identity.kind);
      if (type.namespaced) {
        for (const dep of node.dependents) {
          const ref = dep.owners.find((r) => r.uid === uid);
          if (ref) this.invalidNamespace(dep, ref);
        }
        return;
      }
    }
    const { type, obj: latest } = await this.getLiveNode(node.identity);
    if (!latest) {
      // Absent (or replaced by a namesake): drop it from the graph; its dependents are looked at again.
      this.absent.add(type.namespaced ? node.identity.namespace : '', uid);
      this.graph.remove(uid);
      return;
    }
    if (node.virtual)
      throw new NotObservedYet(`${node.identity.kind} ${node.identity.name} not observed yet`);
    if (latest.metadata?.deletionTimestamp && hasFinalizer(latest, FINALIZER_FOREGROUND)) {
      return this.processDeletingDependents(node, type);
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const classes = await this.classifyReferences(node, refs);
    if (!classes) return;
    const { solid, dangling, waiting } = classes;
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Some owner still exists: only the references to the others go.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.updateOwnerReferences(type, latest, (r) => (drop.has(r.uid) ? undefined : r));
      return;
    }
    if (waiting.length > 0 && node.dependents.size > 0) {
      if ([...node.dependents].some((d) => d.deletingDependents)) {
        // A possible cycle of foreground deletions: stop blocking the owners, then carry on.
        await this.updateOwnerReferences(type, latest, (r) =>
          r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r,
        );
      }
      await this.deleteNode(type, latest, 'Foreground');
      return;
    }
    const policy: Policy = hasFinalizer(latest, FINALIZER_ORPHAN)
      ? 'Orphan'
      : hasFinalizer(latest, FINALIZER_FOREGROUND)
        ? 'Foreground'
        : 'Background';
    await this.deleteNode(type, latest, policy);
  }

  /**
   * Sorts owner references into owners that exist (solid), are gone (dangling) or are being deleted in the
   * foreground (waiting). Undefined when a reference can never resolve (cluster-scoped dependent, namespaced owner).
   */
  private async classifyReferences(
    node: GraphNode,
    refs: OwnerReference[],
  ): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] } | undefined> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    const ns = node.identity.namespace;
    for (const ref of refs) {
      const type = await this.resourceFor(ref.apiVersion, ref.kind);
      if (type.namespaced && !ns) {
        this.invalidNamespace(node, ref);
        return undefined;
      }
      const ownerNs = type.namespaced ? ns : '';
      if (this.absent.has(ownerNs, ref.uid)) {
        dangling.push(ref);
        continue;
      }
      const owner = await this.getLive(type, ownerNs, ref.name);
      if (!owner || owner.metadata?.uid !== ref.uid) {
        this.absent.add(ownerNs, ref.uid);
        const known = this.graph.get(ref.uid);
        if (known && !known.virtual && known.identity.namespace && known.identity.namespace !== ns) {
          this.invalidNamespace(node, ref);
        }
        dangling.push(ref);
      } else if (owner.metadata?.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) {
        waiting.push(ref);
      } else {
        solid.push(ref);
      }
    }
    return { solid, dangling, waiting };
  }

  private invalidNamespace(node: GraphNode, ref: OwnerReference): void {
    const ns = node.identity.namespace;
    this.events.event(
      {
        apiVersion: node.identity.apiVersion,
        kind: node.identity.kind,
        metadata: { name: node.identity.name, namespace: ns, uid: node.uid },
      },
      'Warning',
      'OwnerRefInvalidNamespace',
      `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${ns}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${ns}"`,
    );
  }

  /** An owner deleting in the foreground: its finalizer goes once no dependent blocks it. */
  private async processDeletingDependents(node: GraphNode, type: ResourceType): Promise<void> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(type, node.identity, FINALIZER_FOREGROUND);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.deleteQueue.add(dep.uid);
  }

  /** Upstream attemptToOrphanWorker: drops the owner's reference from every dependent, then the finalizer. */
  private async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || node.virtual) return;
    const { type, obj } = await this.getLiveNode(node.identity);
    if (!obj?.metadata?.deletionTimestamp || !hasFinalizer(obj, FINALIZER_ORPHAN)) return;
    for (const dep of [...node.dependents]) {
      const live = await this.getLiveNode(dep.identity);
      if (!live.obj) continue;
      await this.updateOwnerReferences(live.type, live.obj, (r) => (r.uid === uid ? undefined : r), true);
    }
    await this.removeFinalizer(type, node.identity, FINALIZER_ORPHAN);
  }

  private async deleteNode(type: ResourceType, obj: KubeObject, policy: Policy): Promise<void> {
    const meta = obj.metadata ?? {};
    try {
      await this.ctx.client.resource(type).delete(meta.namespace ?? '', meta.name ?? '', {
        propagationPolicy: policy,
        ...(meta.uid ? { preconditions: { uid: meta.uid } } : {}),
      });
    } catch (err) {
      // Gone already, or replaced by a namesake (uid precondition).
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }

  /**
   * Rewrites an object's ownerReferences (`map` returns undefined to drop one). With `retry`, conflicts re-read
   * the object; without, they fail the sync so the item is looked at afresh.
   */
  private async updateOwnerReferences(
    type: ResourceType,
    obj: KubeObject,
    map: (r: OwnerReference) => OwnerReference | undefined,
    retry = false,
  ): Promise<void> {
    const client = this.ctx.client.resource<KubeObject>(type);
    let current: KubeObject | undefined = obj;
    for (let i = 0; current; i++) {
      const refs = current.metadata?.ownerReferences ?? [];
      const next = refs.map(map).filter((r): r is OwnerReference => r !== undefined);
      if (next.length === refs.length && next.every((r, j) => r === refs[j])) return;
      const updated = cloneJson(current);
      if (next.length > 0) updated.metadata!.ownerReferences = next;
      else delete updated.metadata!.ownerReferences;
      try {
        await client.update(updated);
        return;
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        if (!retry || !hasReason(err, 'Conflict') || i >= UPDATE_RETRIES) throw err;
      }
      const {
        namespace = '',
        name = '',
        uid,
      }: { namespace?: string; name?: string; uid?: string } = current.metadata ?? {};
      current = await this.getLive(type, namespace, name);
      if (current?.metadata?.uid !== uid) return;
    }
  }

  private async removeFinalizer(type: ResourceType, id: ObjectIdentity, finalizer: string): Promise<void> {
    const client = this.ctx.client.resource<KubeObject>(type);
    for (let i = 0; ; i++) {
      const obj = await this.getLive(type, id.namespace, id.name);
      if (!obj || obj.metadata?.uid !== id.uid || !hasFinalizer(obj, finalizer)) return;
      const updated = cloneJson(obj);
      updated.metadata!.finalizers = obj.metadata.finalizers!.filter((f) => f !== finalizer);
      try {
        await client.update(updated);
        return;
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        if (!hasReason(err, 'Conflict') || i >= UPDATE_RETRIES) throw err;
      }
    }
  }
}
