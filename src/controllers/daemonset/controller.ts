import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import {
  objectKey,
  R,
  splitKey,
  type EventRecorder,
  type Informer,
  type ResourceClient,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { claimObjects, ownedRevisions, REVISION_HASH_LABEL, revisionsToPrune } from '../history/index.js';
import { ownedAndOrphans, ownerIndex } from '../owner-index.js';
import { QueueController } from '../queue-controller.js';
import { NodeBackoff } from './backoff.js';
import { computeDaemonStatus, planNodes, planRollingUpdate, type DaemonPlan } from './plan.js';
import { newDaemonPod, targetNodeName } from './pods.js';
import { currentDaemonRevision } from './revisions.js';
import { cloneJson } from '../../api/meta.js';

const OWNER_INDEX = 'daemonset-owner';

const indexByOwner = ownerIndex('DaemonSet');

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Upstream's DaemonSet controller: one pod per eligible node, rolling or on-delete updates, revision history. */
export class DaemonSetController extends QueueController {
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly setClient: ResourceClient<DaemonSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly revisionClient: ResourceClient<ControllerRevision>;
  private readonly recorder: EventRecorder;
  // Two ledgers, because one sync may both create and delete (surge updates).
  private readonly creations: Expectations;
  private readonly deletions: Expectations;
  private readonly backoff: NodeBackoff;

  constructor(ctx: ControllerContext) {
    super('daemonset-controller', ctx);
    this.sets = ctx.informers.informer<DaemonSet>(R.daemonSets);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(R.controllerRevisions);
    this.setClient = ctx.client.resource<DaemonSet>(R.daemonSets);
    this.podClient = ctx.client.resource<Pod>(R.pods);
    this.revisionClient = ctx.client.resource<ControllerRevision>(R.controllerRevisions);
    this.recorder = ctx.events('daemonset-controller');
    this.creations = new Expectations(ctx.clock);
    this.deletions = new Expectations(ctx.clock);
    this.backoff = new NodeBackoff(ctx.clock);

    this.pods.addIndexer(OWNER_INDEX, indexByOwner);
    this.revisions.addIndexer(OWNER_INDEX, indexByOwner);
    this.sets.addEventHandler({
      add: (ds) => this.enqueue(ds),
      update: (_, ds) => this.enqueue(ds),
      delete: (ds) => {
        this.creations.delete(objectKey(ds));
        this.deletions.delete(objectKey(ds));
        this.backoff.forget(ds.metadata?.uid ?? '');
      },
    });
    this.pods.addEventHandler({
      add: (pod) => {
        const key = this.ownerKey(pod);
        if (!key) return this.enqueueAdopters(pod);
        this.creations.creationObserved(key);
        this.queue.add(key);
      },
      update: (old, cur) => {
        const key = this.ownerKey(cur);
        if (key) this.queue.add(key);
        else this.enqueueAdopters(cur);
        const oldKey = this.ownerKey(old);
        if (oldKey && oldKey !== key) this.queue.add(oldKey);
      },
      delete: (pod) => {
        const key = this.ownerKey(pod);
        if (!key) return;
        this.deletions.deletionObserved(key, objectKey(pod));
        this.queue.add(key);
      },
    });
    this.revisions.addEventHandler({
      add: (r) => this.enqueueOwnerOf(r),
      update: (_, r) => this.enqueueOwnerOf(r),
      delete: (r) => this.enqueueOwnerOf(r),
    });
    this.nodes.addEventHandler({
      add: () => this.enqueueAll(),
      update: (old, cur) => {
        if (nodeSchedulingChanged(old, cur)) this.enqueueAll();
      },
      delete: () => this.enqueueAll(),
    });
  }

  private ownerKey(obj: Pod | ControllerRevision): string | undefined {
    const ref = controllerOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.sets.get(obj.metadata?.namespace ?? '', ref.name);
    return ds?.metadata?.uid === ref.uid ? objectKey(ds) : undefined;
  }

  private enqueueOwnerOf(obj: ControllerRevision): void {
    const key = this.ownerKey(obj);
    if (key) this.queue.add(key);
  }

  /** An orphan pod may be adopted by the DaemonSets whose selector it matches. */
  private enqueueAdopters(pod: Pod): void {
    if (controllerOf(pod) || pod.metadata?.deletionTimestamp) return;
    for (const ds of this.sets.list(pod.metadata?.namespace ?? '')) {
      if (labelSelectorFromObject(ds.spec?.selector).matches(pod.metadata?.labels)) this.enqueue(ds);
    }
  }

  private enqueueAll(): void {
    for (const ds of this.sets.list()) this.enqueue(ds);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const ds = cloneJson(cached);
    const uid = ds.metadata?.uid ?? '';
    const nodes = this.nodes.list();
    const selector = labelSelectorFromObject(ds.spec?.selector);
    const matches = (o: Pod | ControllerRevision): boolean => selector.matches(o.metadata?.labels);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const claimable = <T extends Pod | ControllerRevision>(inf: Informer<T>): T[] =>
      ownedAndOrphans(inf, OWNER_INDEX, uid, namespace);
    const owned = ownedRevisions(
      await claimObjects(this.revisionClient, ref, false, claimable(this.revisions), matches),
      ds,
    );
    const { revision, hash, collisionCount } = await currentDaemonRevision(this.revisionClient, ds, owned);
    const pods = await claimObjects(this.podClient, ref, false, claimable(this.pods), matches);
    const podsByNode = groupByNode(pods);
    const now = this.ctx.clock.now();

    let requeueAfterMs: number | undefined;
    if (this.creations.satisfied(key) && this.deletions.satisfied(key)) {
      const plan = planNodes(ds, nodes, podsByNode, hash, this.backoff.forDaemonSet(uid));
      requeueAfterMs = plan.requeueAfterMs;
      if (plan.create.length > 0 || plan.delete.length > 0) {
        await this.syncNodes(key, ds, plan, hash);
      } else if (ds.spec?.updateStrategy?.type !== 'OnDelete') {
        await this.syncNodes(key, ds, planRollingUpdate(ds, nodes, podsByNode, hash, now), hash);
      }
      await this.cleanupHistory(ds, owned, revision, pods);
    }

    const status = computeDaemonStatus(ds, nodes, podsByNode, hash, now);
    await this.writeStatus(ds, { ...status, ...(collisionCount > 0 ? { collisionCount } : {}) });
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) {
      requeueAfterMs = Math.min(requeueAfterMs ?? minReady * 1000, minReady * 1000);
    }
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** Deletes and creates what a plan asks, under expectations; creations go in slow-start batches. */
  private async syncNodes(key: string, ds: DaemonSet, plan: DaemonPlan, hash: string): Promise<void> {
    if (plan.create.length === 0 && plan.delete.length === 0) return;
    this.creations.expectCreations(key, plan.create.length);
    this.deletions.expectDeletions(
      key,
      plan.delete.map((d) => objectKey(d.pod)),
    );
    const errors: unknown[] = [];

    await Promise.all(
      plan.delete.map(async ({ pod, reason, node }) => {
        const podName = pod.metadata?.name ?? '';
        if (reason === 'failed') {
          this.recorder.event(
            ds,
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${pod.metadata?.namespace ?? ''}/${podName} on node ${node}, will try to kill it`,
          );
        }
        try {
          await this.podClient.delete(pod.metadata?.namespace ?? '', podName, {
            preconditions: { uid: pod.metadata?.uid ?? '' },
          });
          this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
        } catch (err) {
          this.deletions.deletionObserved(key, objectKey(pod));
          if (hasReason(err, 'NotFound')) return;
          this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
          errors.push(err);
        }
      }),
    );

    let next = 0;
    for (let batch = 1; next < plan.create.length; batch *= 2) {
      const nodes = plan.create.slice(next, next + batch);
      next += nodes.length;
      const results = await Promise.allSettled(
        nodes.map((node) => this.podClient.create(newDaemonPod(ds, node, hash))),
      );
      let failed = 0;
      for (const r of results) {
        if (r.status === 'fulfilled') {
          this.recorder.event(
            ds,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${r.value.metadata?.name ?? ''}`,
          );
        } else {
          failed++;
          this.creations.lowerCreations(key);
          this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`);
          errors.push(r.reason);
        }
      }
      if (failed > 0) {
        // Like upstream's slow start: stop after a failing batch; the rest will not be observed.
        this.creations.lowerCreations(key, plan.create.length - next);
        break;
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  private async cleanupHistory(
    ds: DaemonSet,
    owned: ControllerRevision[],
    current: ControllerRevision,
    pods: Pod[],
  ): Promise<void> {
    const liveHashes = new Set(pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''));
    const live = new Set(
      owned
        .filter((r) => liveHashes.has(r.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''))
        .map((r) => r.metadata?.name ?? ''),
    );
    live.add(current.metadata?.name ?? '');
    for (const rev of revisionsToPrune(owned, live, ds.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await this.revisionClient.delete(rev.metadata?.namespace ?? '', rev.metadata?.name ?? '');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw err;
      }
    }
  }

  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    const old: Partial<DaemonSetStatus> = ds.status ?? {};
    const same = (Object.keys(status) as (keyof DaemonSetStatus)[]).every((k) => status[k] === old[k]);
    if (same) return;
    try {
      await this.setClient.updateStatus({ ...ds, status: { ...old, ...status } });
    } catch (err) {
      if (hasReason(err, 'NotFound')) return;
      throw err;
    }
  }
}

function groupByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}

/** Heartbeats and status churn do not change where daemons run; labels, taints and cordoning do. */
function nodeSchedulingChanged(old: Node, cur: Node): boolean {
  return (
    JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {}) ||
    JSON.stringify(old.spec ?? {}) !== JSON.stringify(cur.spec ?? {})
  );
}

export const newDaemonSetController = (ctx: ControllerContext): DaemonSetController =>
  new DaemonSetController(ctx);
