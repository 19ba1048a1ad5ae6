import type { Pod } from 'kubernetes-types/core/v1.js';
import { hasReason, isApiError } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import { isPodActive, isPodReady } from '../../api/pods.js';
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
import { QueueController } from '../queue-controller.js';
import { claimObjects, ownerStillLive } from './claim.js';
import type { ReplicaKind, ReplicaOwner } from './kind.js';
import { ownedAndOrphans, ownerIndex } from '../owner-index.js';
import { podsToDelete } from './pods-to-delete.js';
import { BURST_REPLICAS, slowStartBatch } from './slow-start.js';
import { calculateStatus, statusEqual, type ReplicaStatus } from './status.js';
import { cloneJson } from '../../api/meta.js';

const POD_OWNER_INDEX = 'replicaset-controller/owner';

const podOwnerIndex = ownerIndex();

/**
 * Upstream's ReplicaSet controller (pkg/controller/replicaset), shared by ReplicaSets and
 * ReplicationControllers: keeps `spec.replicas` active pods that match the selector, adopting orphans and
 * releasing pods that stopped matching, and reports counts in status.
 */
export class ReplicaSetController extends QueueController {
  private readonly owners: Informer<ReplicaOwner>;
  private readonly pods: Informer<Pod>;
  private readonly ownerClient: ResourceClient<ReplicaOwner>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly expectations: Expectations;
  private readonly recorder: EventRecorder;

  constructor(
    ctx: ControllerContext,
    private readonly kind: ReplicaKind,
  ) {
    super(kind.name, ctx);
    this.owners = ctx.informers.informer<ReplicaOwner>(kind.resource);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.pods.addIndexer(POD_OWNER_INDEX, podOwnerIndex);
    this.ownerClient = ctx.client.resource<ReplicaOwner>(kind.resource);
    this.podClient = ctx.client.resource<Pod>(R.pods);
    this.expectations = new Expectations(ctx.clock);
    this.recorder = ctx.events(kind.component);

    this.owners.addEventHandler({
      add: (o) => this.enqueue(o),
      update: (_, o) => this.enqueue(o),
      delete: (o) => {
        this.expectations.delete(objectKey(o));
        this.enqueue(o);
      },
    });
    this.pods.addEventHandler({
      add: (p) => this.addPod(p),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (p) => this.deletePod(p),
    });
  }

  // ---------- event handlers: only turn events into keys (and observe expectations) ----------

  private resolveControllerRef(namespace: string, ref: OwnerReference | undefined): ReplicaOwner | undefined {
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const owner = this.owners.get(namespace, ref.name);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** Owners whose selector matches an orphan pod's labels. */
  private ownersSelecting(pod: Pod): ReplicaOwner[] {
    return this.owners
      .list(pod.metadata?.namespace ?? '')
      .filter((o) => this.kind.selector(o).matches(pod.metadata?.labels));
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerOf(pod);
    if (ref) {
      const owner = this.resolveControllerRef(ns, ref);
      if (!owner) return;
      const key = objectKey(owner);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const o of this.ownersSelecting(pod)) this.enqueue(o);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const ns = cur.metadata?.namespace ?? '';
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const owner = this.resolveControllerRef(ns, oldRef);
      if (owner) this.enqueue(owner);
    }
    if (curRef) {
      const owner = this.resolveControllerRef(ns, curRef);
      if (!owner) return;
      this.enqueue(owner);
      // A pod that just became ready turns available minReadySeconds later: look again then.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) {
        this.queue.addAfter(objectKey(owner), minReady * 1000 + 1000);
      }
      return;
    }
    if (labelChanged || refChanged) for (const o of this.ownersSelecting(cur)) this.enqueue(o);
  }

  private deletePod(pod: Pod): void {
    const owner = this.resolveControllerRef(pod.metadata?.namespace ?? '', controllerOf(pod));
    if (!owner) return;
    const key = objectKey(owner);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // ---------- reconcile ----------

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.owners.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const owner = cloneJson(cached);
    const needsSync = this.expectations.satisfied(key);
    const selector = this.kind.selector(owner);
    // Only pods this owner controls and orphans can be claimed: skip everybody else's pods.
    const active = ownedAndOrphans(this.pods, POD_OWNER_INDEX, owner.metadata?.uid ?? '', namespace).filter(
      isPodActive,
    );
    const pods = await claimObjects(active, {
      owner,
      selector,
      controllerRef: this.controllerRef(owner),
      client: this.podClient,
      canAdopt: () => ownerStillLive(this.ownerClient, owner),
    });

    let manageError: Error | undefined;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      manageError = await this.manageReplicas(key, owner, pods);
    }
    const now = this.ctx.clock.now();
    const status = calculateStatus(owner, pods, manageError, now);
    const updated = await this.updateStatus(owner, status);
    if (manageError !== undefined) throw manageError;

    const replicas = owner.spec?.replicas ?? 1;
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const st = updated?.status ?? status;
    if (minReady > 0 && (st.readyReplicas ?? 0) === replicas && (st.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private controllerRef(owner: ReplicaOwner): OwnerReference {
    return newControllerRef(owner, this.kind.apiVersion, this.kind.kind);
  }

  /** Creates or deletes pods towards spec.replicas; returns the first error (status reports it). */
  private async manageReplicas(key: string, owner: ReplicaOwner, pods: Pod[]): Promise<Error | undefined> {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      const { successes, error } = await slowStartBatch(count, 1, () => this.createPod(owner));
      if (count - successes > 0) this.expectations.lowerCreations(key, count - successes);
      // Every create in a terminating namespace fails; that is not a failure of this controller.
      if (error === undefined || namespaceTerminating(error)) return undefined;
      return asError(error);
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(owner), count, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map(objectKey));
      let firstError: unknown;
      await Promise.all(
        victims.map(async (pod) => {
          const podName = pod.metadata?.name ?? '';
          try {
            await this.podClient.delete(pod.metadata?.namespace ?? '', podName);
            this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
          } catch (err) {
            this.expectations.deletionObserved(key, objectKey(pod));
            if (hasReason(err, 'NotFound')) return;
            this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
            firstError ??= err;
          }
        }),
      );
      return firstError === undefined ? undefined : asError(firstError);
    }
    return undefined;
  }

  private async createPod(owner: ReplicaOwner): Promise<void> {
    const template = this.kind.template(owner);
    const meta = template?.metadata ?? {};
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${owner.metadata?.name ?? ''}-`,
        namespace: owner.metadata?.namespace ?? '',
        ...(meta.labels ? { labels: { ...meta.labels } } : {}),
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
        ownerReferences: [this.controllerRef(owner)],
      },
      spec: cloneJson(template?.spec ?? { containers: [] }),
    };
    try {
      const created = await this.podClient.create(pod);
      this.recorder.event(
        owner,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata?.name ?? ''}`,
      );
    } catch (err) {
      this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
      throw err;
    }
  }

  /**
   * Pods of this owner and of its sibling ReplicaSets (same controlling Deployment): used to spread deletions
   * towards nodes that run several of them (upstream getIndirectlyRelatedPods).
   */
  private relatedPods(owner: ReplicaOwner): Pod[] {
    const ns = owner.metadata?.namespace ?? '';
    const uids = new Set<string>([owner.metadata?.uid ?? '']);
    const parent = controllerOf(owner);
    if (parent) {
      for (const o of this.owners.list(ns)) {
        if (controllerOf(o)?.uid === parent.uid) uids.add(o.metadata?.uid ?? '');
      }
    }
    return [...uids].flatMap((uid) => this.pods.byIndex(POD_OWNER_INDEX, uid));
  }

  private async updateStatus(owner: ReplicaOwner, status: ReplicaStatus): Promise<ReplicaOwner | undefined> {
    const generation = owner.metadata?.generation ?? 0;
    const current = owner.status ?? { replicas: 0 };
    if (statusEqual(current, status) && (current.observedGeneration ?? 0) >= generation) return undefined;
    status.observedGeneration = generation;
    try {
      return await this.ownerClient.updateStatus({ ...owner, status });
    } catch (err) {
      if (!hasReason(err, 'Conflict')) throw err;
      // One retry against the live object, as upstream does.
      const fresh = await this.ownerClient.get(owner.metadata?.namespace ?? '', owner.metadata?.name ?? '');
      status.observedGeneration = fresh.metadata?.generation ?? generation;
      return await this.ownerClient.updateStatus({ ...fresh, status });
    }
  }
}

function namespaceTerminating(err: unknown): boolean {
  return (
    isApiError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
