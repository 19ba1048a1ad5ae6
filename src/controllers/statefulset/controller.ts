import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { scaledValueFromIntOrPercent } from '../../api/intstr.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import { isPodAvailable, isPodTerminal } from '../../api/pods.js';
import {
  R,
  splitKey,
  type EventRecorder,
  type Informer,
  type ResourceClient,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { claimObjects, ownedRevisions, revisionsToPrune } from '../history/index.js';
import { ownedAndOrphans, ownerIndex } from '../owner-index.js';
import { QueueController } from '../queue-controller.js';
import {
  claimsFor,
  newStatefulPod,
  ordinalOf,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  podRevision,
  startOrdinal,
} from './identity.js';
import { isRunningAndReady, isTerminating, planStatefulSet, type Action, type Slot } from './plan.js';
import { applyRevision, resolveRevisions, type SetRevisions } from './revisions.js';
import { cloneJson } from '../../api/meta.js';

const OWNER_INDEX = 'statefulset-owner';

const indexByOwner = ownerIndex('StatefulSet');

/** Upstream's StatefulSet controller: stable pod identities, ordered scaling, storage per ordinal, rolling updates. */
export class StatefulSetController extends QueueController {
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly setClient: ResourceClient<StatefulSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly revisionClient: ResourceClient<ControllerRevision>;
  private readonly claimClient: ResourceClient<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('statefulset-controller', ctx);
    this.sets = ctx.informers.informer<StatefulSet>(R.statefulSets);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.revisions = ctx.informers.informer<ControllerRevision>(R.controllerRevisions);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.setClient = ctx.client.resource<StatefulSet>(R.statefulSets);
    this.podClient = ctx.client.resource<Pod>(R.pods);
    this.revisionClient = ctx.client.resource<ControllerRevision>(R.controllerRevisions);
    this.claimClient = ctx.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.recorder = ctx.events('statefulset-controller');

    this.pods.addIndexer(OWNER_INDEX, indexByOwner);
    this.revisions.addIndexer(OWNER_INDEX, indexByOwner);
    this.sets.addEventHandler({
      add: (s) => this.enqueue(s),
      update: (_, s) => this.enqueue(s),
      delete: (s) => this.enqueue(s),
    });
    const byOwner = {
      add: (o: Pod | ControllerRevision) => this.enqueueOwner(o),
      update: (old: Pod | ControllerRevision, cur: Pod | ControllerRevision) => {
        this.enqueueOwner(cur);
        if (controllerOf(old)?.uid !== controllerOf(cur)?.uid) this.enqueueOwner(old);
      },
      delete: (o: Pod | ControllerRevision) => this.enqueueOwner(o),
    };
    this.pods.addEventHandler(byOwner);
    this.revisions.addEventHandler(byOwner);
  }

  private enqueueOwner(obj: Pod | ControllerRevision): void {
    const ref = controllerOf(obj);
    if (!ref && !obj.metadata?.deletionTimestamp) {
      // An orphan may be adopted by the sets whose selector it matches.
      for (const set of this.sets.list(obj.metadata?.namespace ?? '')) {
        if (labelSelectorFromObject(set.spec?.selector).matches(obj.metadata?.labels)) this.enqueue(set);
      }
      return;
    }
    if (ref?.kind !== 'StatefulSet') return;
    const set = this.sets.get(obj.metadata?.namespace ?? '', ref.name);
    if (set?.metadata?.uid === ref.uid) this.enqueue(set);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached) return;
    const set = cloneJson(cached);
    const uid = set.metadata?.uid ?? '';
    const selector = labelSelectorFromObject(set.spec?.selector);
    const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const deleting = !!set.metadata?.deletionTimestamp;
    const claimable = <T extends Pod | ControllerRevision>(inf: Informer<T>): T[] =>
      ownedAndOrphans(inf, OWNER_INDEX, uid, namespace);
    const owned = ownedRevisions(
      await claimObjects(this.revisionClient, ref, deleting, claimable(this.revisions), (r) =>
        selector.matches(r.metadata?.labels),
      ),
      set,
    );
    // Upstream only adopts pods whose name is one of this set's ordinals.
    const pods = await claimObjects(
      this.podClient,
      ref,
      deleting,
      claimable(this.pods),
      (p) => selector.matches(p.metadata?.labels) && ordinalOf(name, p.metadata?.name ?? '') >= 0,
    );
    const revs = await resolveRevisions(this.revisionClient, set, owned);
    const currentName = revs.current.metadata?.name ?? '';
    const updateName = revs.update.metadata?.name ?? '';

    let requeueAfterMs: number | undefined;
    if (!set.metadata?.deletionTimestamp) {
      const replicaCount = set.spec?.replicas ?? 1;
      const start = startOrdinal(set);
      const byOrdinal = new Map(pods.map((p) => [ordinalOf(name, p.metadata?.name ?? ''), p]));
      const replicas: Slot[] = [];
      for (let ord = start; ord < start + replicaCount; ord++) {
        const pod = byOrdinal.get(ord);
        replicas.push(pod ? { ordinal: ord, pod } : { ordinal: ord });
      }
      const condemned = [...byOrdinal]
        .filter(([ord]) => ord < start || ord >= start + replicaCount)
        .map(([ordinal, pod]) => ({ ordinal, pod }));
      const strategy = set.spec?.updateStrategy;
      const maxUnavailable = strategy?.rollingUpdate?.maxUnavailable;
      const plan = planStatefulSet({
        replicas,
        condemned,
        monotonic: set.spec?.podManagementPolicy !== 'Parallel',
        strategy: strategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate',
        partitionOrdinal: start + (strategy?.rollingUpdate?.partition ?? 0),
        ...(maxUnavailable !== undefined
          ? { maxUnavailable: Math.max(1, scaledValueFromIntOrPercent(maxUnavailable, replicaCount, false)) }
          : {}),
        currentRevision: currentName,
        updateRevision: updateName,
        minReadySeconds: set.spec?.minReadySeconds ?? 0,
        nowMs: this.ctx.clock.now(),
      });
      requeueAfterMs = plan.requeueAfterMs;
      await this.ensureClaimsOfPendingPods(set, pods);
      await this.execute(set, revs, plan.actions);
      await this.restoreIdentities(set, pods);
    }

    const status = await this.updateStatus(set, pods, revs);
    const minReady = set.spec?.minReadySeconds ?? 0;
    // Pods become available minReadySeconds after Ready without any event: look again then.
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) {
      requeueAfterMs = Math.min(requeueAfterMs ?? minReady * 1000, minReady * 1000);
    }
    await this.truncateHistory(set, pods, owned, revs);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  private async execute(set: StatefulSet, revs: SetRevisions, actions: Action[]): Promise<void> {
    const results = await Promise.allSettled(
      actions.map((a) =>
        a.kind === 'create' ? this.createPod(set, revs, a.ordinal, a.revision) : this.deletePod(set, a),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async createPod(
    set: StatefulSet,
    revs: SetRevisions,
    ordinal: number,
    revision: string,
  ): Promise<void> {
    const source = applyRevision(set, revision === revs.update.metadata?.name ? revs.update : revs.current);
    const pod = newStatefulPod(source, ordinal, revision);
    const podName = pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    await this.ensureClaims(set, ordinal, podName);
    try {
      await this.podClient.create(pod);
    } catch (err) {
      // A stale cache: the pod exists already and its event will bring us back.
      if (hasReason(err, 'AlreadyExists')) return;
      this.recorder.event(
        set,
        'Warning',
        'FailedCreate',
        `create Pod ${podName} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
    this.recorder.event(
      set,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${setName} successful`,
    );
  }

  private async deletePod(set: StatefulSet, action: Extract<Action, { kind: 'delete' }>): Promise<void> {
    const { pod } = action;
    const podName = pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    if (action.why === 'failed') {
      const failed = pod.status?.phase === 'Failed';
      this.recorder.event(
        set,
        'Warning',
        failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod',
        `StatefulSet ${set.metadata?.namespace ?? ''}/${setName} is recreating ${failed ? 'failed' : 'terminated'} Pod ${podName}`,
      );
    }
    if (
      action.why === 'condemned' &&
      set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete'
    ) {
      await this.ownClaimsByPod(set, pod);
    }
    try {
      await this.podClient.delete(pod.metadata?.namespace ?? '', podName, {
        preconditions: { uid: pod.metadata?.uid ?? '' },
      });
    } catch (err) {
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      this.recorder.event(
        set,
        'Warning',
        'FailedDelete',
        `delete Pod ${podName} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
    this.recorder.event(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${podName} in StatefulSet ${setName} successful`,
    );
  }

  /** Creates the claims of `ordinal` that do not exist yet (before its pod, as upstream). */
  private async ensureClaims(set: StatefulSet, ordinal: number, podName: string): Promise<void> {
    const setName = set.metadata?.name ?? '';
    for (const claim of claimsFor(set, ordinal).values()) {
      const claimName = claim.metadata?.name ?? '';
      if (this.claims.get(claim.metadata?.namespace ?? '', claimName)) continue;
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
        claim.metadata!.ownerReferences = [setOwnerRef(set)];
      }
      try {
        await this.claimClient.create(claim);
      } catch (err) {
        if (hasReason(err, 'AlreadyExists')) continue;
        this.recorder.event(
          set,
          'Warning',
          'FailedCreate',
          `create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`,
        );
        throw err;
      }
      this.recorder.event(
        set,
        'Normal',
        'SuccessfulCreate',
        `create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`,
      );
    }
  }

  /** A pending pod whose claim was deleted gets it back (upstream createMissingPersistentVolumeClaims). */
  private async ensureClaimsOfPendingPods(set: StatefulSet, pods: Pod[]): Promise<void> {
    if ((set.spec?.volumeClaimTemplates ?? []).length === 0) return;
    const name = set.metadata?.name ?? '';
    for (const pod of pods) {
      if (pod.status?.phase !== 'Pending' || isTerminating(pod)) continue;
      await this.ensureClaims(set, ordinalOf(name, pod.metadata?.name ?? ''), pod.metadata?.name ?? '');
    }
  }

  /**
   * Upstream's identity invariant: a live pod of the set carries its name and ordinal as labels. Someone who
   * edited or removed them gets them back (other labels are left as they are).
   */
  private async restoreIdentities(set: StatefulSet, pods: Pod[]): Promise<void> {
    const setName = set.metadata?.name ?? '';
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '';
      const ordinal = ordinalOf(setName, name);
      if (ordinal < 0 || isTerminating(pod) || isPodTerminal(pod)) continue;
      const labels = pod.metadata?.labels ?? {};
      if (labels[POD_NAME_LABEL] === name && labels[POD_INDEX_LABEL] === String(ordinal)) continue;
      try {
        await this.podClient.patch(pod.metadata?.namespace ?? '', name, 'strategic', {
          metadata: {
            uid: pod.metadata?.uid,
            labels: { [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
          },
        });
      } catch (err) {
        if (hasReason(err, 'NotFound')) continue;
        this.recorder.event(
          set,
          'Warning',
          'FailedUpdate',
          `update Pod ${name} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`,
        );
        throw err;
      }
      this.recorder.event(
        set,
        'Normal',
        'SuccessfulUpdate',
        `update Pod ${name} in StatefulSet ${setName} successful`,
      );
    }
  }

  /** whenScaled: Delete: a condemned pod's claims are owned by the pod, so the garbage collector removes them. */
  private async ownClaimsByPod(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = ordinalOf(set.metadata?.name ?? '', pod.metadata?.name ?? '');
    for (const claim of claimsFor(set, ordinal).values()) {
      const existing = this.claims.get(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '');
      if (!existing) continue;
      const refs = existing.metadata?.ownerReferences ?? [];
      if (refs.some((r) => r.uid === pod.metadata?.uid)) continue;
      const podRef = {
        apiVersion: 'v1',
        kind: 'Pod',
        name: pod.metadata?.name ?? '',
        uid: pod.metadata?.uid ?? '',
        blockOwnerDeletion: true,
      };
      await this.claimClient.patch(
        existing.metadata?.namespace ?? '',
        existing.metadata?.name ?? '',
        'merge',
        {
          metadata: {
            // The pod now bounds the claim's life; the set's reference (whenDeleted) is dropped.
            ownerReferences: [...refs.filter((r) => r.uid !== set.metadata?.uid), podRef],
            resourceVersion: existing.metadata?.resourceVersion,
          },
        },
      );
    }
  }

  private async updateStatus(set: StatefulSet, pods: Pod[], revs: SetRevisions): Promise<StatefulSetStatus> {
    const status = computeStatus(set, pods, revs, this.ctx.clock.now());
    const old: Partial<StatefulSetStatus> = set.status ?? {};
    const same = (Object.keys(status) as (keyof StatefulSetStatus)[]).every((k) => status[k] === old[k]);
    if (same) return status;
    try {
      await this.setClient.updateStatus({ ...set, status: { ...old, ...status } });
    } catch (err) {
      if (!hasReason(err, 'NotFound')) throw err;
    }
    return status;
  }

  private async truncateHistory(
    set: StatefulSet,
    pods: Pod[],
    owned: ControllerRevision[],
    revs: SetRevisions,
  ): Promise<void> {
    const live = new Set(pods.map(podRevision));
    live.add(revs.current.metadata?.name ?? '');
    live.add(revs.update.metadata?.name ?? '');
    for (const rev of revisionsToPrune(owned, live, set.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await this.revisionClient.delete(rev.metadata?.namespace ?? '', rev.metadata?.name ?? '');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw err;
      }
    }
  }
}

function setOwnerRef(set: StatefulSet): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion: boolean;
} {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: set.metadata?.name ?? '',
    uid: set.metadata?.uid ?? '',
    blockOwnerDeletion: true,
  };
}

/**
 * Status as upstream counts it: replicas are the pods that exist, ready/available by condition, current/updated
 * by their revision label; a finished rolling update makes the update revision current.
 */
export function computeStatus(
  set: StatefulSet,
  pods: Pod[],
  revs: SetRevisions,
  nowMs: number,
): StatefulSetStatus {
  const currentName = revs.current.metadata?.name ?? '';
  const updateName = revs.update.metadata?.name ?? '';
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: revs.collisionCount,
  };
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) status.availableReplicas!++;
    }
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === currentName) status.currentReplicas!++;
    if (rev === updateName) status.updatedReplicas!++;
  }
  if (
    set.spec?.updateStrategy?.type !== 'OnDelete' &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateName;
  }
  return status;
}

export const newStatefulSetController = (ctx: ControllerContext): StatefulSetController =>
  new StatefulSetController(ctx);
