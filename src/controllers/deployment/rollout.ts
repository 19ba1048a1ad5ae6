import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import type { SyncResult } from '../../client/index.js';
import type { DeploymentController } from './controller.js';
import { computeHash, POD_TEMPLATE_HASH_LABEL } from './hash.js';
import {
  calculateStatus,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  rolloutStatus,
  setCondition,
  statusEqual,
  stuckRequeueMs,
} from './progress.js';
import {
  byCreation,
  byRevision,
  desiredReplicas,
  DESIRED_REPLICAS_ANNOTATION,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxScaledDown,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  REASON,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  REVISION_ANNOTATION,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumActual,
  sumAvailable,
  sumReplicas,
} from './util.js';
import { cloneJson } from '../../api/meta.js';

/**
 * One reconcile of one Deployment (upstream syncDeployment and the sync/rolling/recreate/progress files).
 * `d` is a private copy whose resourceVersion follows our own writes.
 */
export class Rollout {
  constructor(
    private readonly ctl: DeploymentController,
    private readonly d: Deployment,
    private rsList: ReplicaSet[],
  ) {}

  private get now(): number {
    return this.ctl.clock.now();
  }

  private get name(): string {
    return this.d.metadata?.name ?? '';
  }

  private get namespace(): string {
    return this.d.metadata?.namespace ?? '';
  }

  async run(): Promise<SyncResult | void> {
    const d = this.d;
    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await this.allReplicaSets(false);
      await this.syncStatus([...oldRSs, newRS], newRS);
      return;
    }
    await this.checkPausedConditions();
    if (d.spec?.paused) return this.syncScaling();
    if (await this.isScalingEvent()) return this.syncScaling();
    return d.spec?.strategy?.type === 'Recreate' ? this.rolloutRecreate() : this.rolloutRolling();
  }

  // ---------- writes that keep `d` current ----------

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    const saved = await this.ctl.deploymentClient.updateStatus({ ...this.d, status });
    this.d.status = saved.status ?? status;
    setResourceVersion(this.d, saved);
  }

  /**
   * Upstream sets the revision annotation through the status write; our status subresource keeps metadata
   * unchanged, so the annotation goes in its own patch.
   */
  private async setDeploymentRevision(revision: string): Promise<void> {
    if (this.d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
    const saved = await this.ctl.deploymentClient.patch(this.namespace, this.name, 'merge', {
      metadata: { annotations: { [REVISION_ANNOTATION]: revision } },
    });
    const meta = (this.d.metadata ??= {});
    meta.annotations = { ...meta.annotations, [REVISION_ANNOTATION]: revision };
    setResourceVersion(this.d, saved);
  }

  private async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const saved = await this.ctl.rsClient.update(rs);
    this.rsList = this.rsList.map((r) => (r.metadata?.uid === saved.metadata?.uid ? saved : r));
    return saved;
  }

  // ---------- finding the new and old ReplicaSets ----------

  private async allReplicaSets(
    create: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(this.d, this.rsList);
    const newRS = await this.newReplicaSet(oldRSs, create);
    return { newRS, oldRSs };
  }

  /** Upstream getNewReplicaSet: sync the existing new RS's annotations, or create it when asked to. */
  private async newReplicaSet(oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = cloneJson(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec = { ...copy.spec!, minReadySeconds: d.spec?.minReadySeconds ?? 0 };
        return this.updateReplicaSet(copy);
      }
      await this.setDeploymentRevision(copy.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const status = cloneJson(d.status ?? {});
        setCondition(
          status,
          newCondition(
            'Progressing',
            'True',
            REASON.foundNewRS,
            `Found new replica set "${copy.metadata?.name ?? ''}"`,
            this.now,
          ),
        );
        await this.writeStatus(status);
      }
      return copy;
    }
    if (!create) return undefined;

    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = cloneJson(d.spec!.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = cloneJson(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rsName = `${this.name}-${hash}`;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: this.namespace,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.ctl.rsClient.create(rs);
    } catch (err) {
      if (hasReason(err, 'AlreadyExists')) {
        alreadyExists = true;
        const found =
          this.ctl.replicaSets.get(this.namespace, rsName) ??
          (await this.ctl.rsClient.get(this.namespace, rsName));
        if (controllerOf(found)?.uid === d.metadata?.uid && findNewReplicaSet(d, [found])) {
          created = found;
        } else {
          // A hash collision: bump collisionCount so the next sync hashes differently.
          const status = cloneJson(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${rsName}": ${err instanceof Error ? err.message : String(err)}`;
        if (hasProgressDeadline(d)) {
          const status = cloneJson(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'False', REASON.failedRSCreate, msg, this.now));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.ctl.recorder.event(d, 'Warning', REASON.failedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExists) {
      this.rsList = [...this.rsList, created];
      if (replicas > 0) this.scaledEvent('up', created, 0, replicas);
    }
    await this.setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status = cloneJson(d.status ?? {});
      setCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          REASON.newRS,
          `Created new replica set "${created.metadata?.name ?? ''}"`,
          this.now,
        ),
      );
      await this.writeStatus(status);
    }
    return created;
  }

  // ---------- scaling ----------

  private scaledEvent(direction: string, rs: ReplicaSet, from: number, to: number): void {
    this.ctl.recorder.event(
      this.d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${direction} replica set ${rs.metadata?.name ?? ''} from ${from} to ${to}`,
    );
  }

  /** Upstream scaleReplicaSet: size and the desired/max annotations in one update. */
  private async scaleReplicaSet(
    rs: ReplicaSet,
    size: number,
    direction?: string,
  ): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const sizeChanged = replicasOf(rs) !== size;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const from = replicasOf(rs);
    const copy = cloneJson(rs);
    copy.spec = { ...copy.spec!, replicas: size };
    setReplicasAnnotations(copy, desired, max);
    const saved = await this.updateReplicaSet(copy);
    if (sizeChanged) this.scaledEvent(direction ?? (from < size ? 'up' : 'down'), saved, from, size);
    return { scaled: sizeChanged, rs: saved };
  }

  /** Upstream isScalingEvent: an active RS's desired-replicas annotation disagrees with spec.replicas. */
  private async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.allReplicaSets(false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (desired === undefined || !/^\d+$/.test(desired)) continue;
      if (Number(desired) !== desiredReplicas(this.d)) return true;
    }
    return false;
  }

  /** Paused or scaling: resize without rolling (upstream sync). */
  private async syncScaling(): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSets(false);
    await this.scale(newRS, oldRSs);
    const fresh = this.refresh([...oldRSs, newRS]);
    if (this.d.spec?.paused) await this.cleanup(this.refresh(oldRSs));
    await this.syncStatus(fresh, newRS ? this.refresh([newRS])[0] : undefined);
  }

  /** The latest copies (after our own writes) of the given ReplicaSets. */
  private refresh(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
    return rss
      .filter((rs): rs is ReplicaSet => rs !== undefined)
      .map((rs) => this.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs);
  }

  /** Upstream scale: one active RS takes all replicas; otherwise share a resize out proportionally. */
  private async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const only = findActiveOrLatest(newRS, oldRSs);
    if (only) {
      if (replicasOf(only) !== desiredReplicas(d)) await this.scaleReplicaSet(only, desiredReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSet(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const active = filterActive([...oldRSs, newRS]);
    const total = sumReplicas(active);
    const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
    const direction = allowed > total ? 'up' : allowed < total ? 'down' : '';
    for (const { rs, size } of proportionalSizes(d, active)) {
      await this.scaleReplicaSet(rs, size, direction || undefined);
    }
  }

  // ---------- strategies ----------

  private async rolloutRolling(): Promise<SyncResult | void> {
    const d = this.d;
    const { newRS: created, oldRSs } = await this.allReplicaSets(true);
    let newRS = created!;
    // Scale up, if we can.
    if (replicasOf(newRS) !== desiredReplicas(d)) {
      const target =
        replicasOf(newRS) > desiredReplicas(d)
          ? desiredReplicas(d)
          : newRSNewReplicas(d, this.refresh([...oldRSs, newRS]), newRS);
      const r = await this.scaleReplicaSet(newRS, target);
      newRS = r.rs;
      if (r.scaled) return this.syncRolloutStatus(this.refresh([...oldRSs, newRS]), newRS);
    }
    // Scale down, if we can.
    if (await this.reconcileOldReplicaSets(this.refresh(oldRSs), newRS)) {
      return this.syncRolloutStatus(this.refresh([...oldRSs, newRS]), newRS);
    }
    const all = this.refresh([...oldRSs, newRS]);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(this.refresh(oldRSs));
    return this.syncRolloutStatus(all, newRS);
  }

  /** Upstream reconcileOldReplicaSets: unhealthy old replicas first, then as many as availability allows. */
  private async reconcileOldReplicaSets(oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const d = this.d;
    const active = filterActive(oldRSs).sort(byCreation);
    if (sumReplicas(active) === 0) return false;
    const budget = maxScaledDown(d, [...oldRSs, newRS], newRS);
    if (budget <= 0) return false;

    let cleaned = 0;
    for (const [i, rs] of active.entries()) {
      if (cleaned >= budget) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(budget - cleaned, unhealthy);
      active[i] = (await this.scaleReplicaSet(rs, replicasOf(rs) - n)).rs;
      cleaned += n;
    }

    const minAvailable = desiredReplicas(d) - maxUnavailable(d);
    const available = sumAvailable([...active, newRS]);
    let scaledDown = 0;
    if (available > minAvailable) {
      const want = available - minAvailable;
      for (const rs of active.sort(byCreation)) {
        if (scaledDown >= want) break;
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), want - scaledDown);
        await this.scaleReplicaSet(rs, replicasOf(rs) - n);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private async rolloutRecreate(): Promise<SyncResult | void> {
    const d = this.d;
    let { newRS, oldRSs } = await this.allReplicaSets(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      if ((await this.scaleReplicaSet(rs, 0)).scaled) scaledDown = true;
    }
    if (scaledDown || this.oldPodsRunning(newRS, this.refresh(oldRSs))) {
      return this.syncRolloutStatus(this.refresh([...oldRSs, newRS]), newRS);
    }
    if (!newRS) ({ newRS, oldRSs } = await this.allReplicaSets(true));
    const scaled = await this.scaleReplicaSet(newRS!, desiredReplicas(d));
    newRS = scaled.rs;
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(this.refresh(oldRSs));
    return this.syncRolloutStatus(this.refresh([...oldRSs, newRS]), newRS);
  }

  /** Old ReplicaSets still report pods, or pods of theirs (even terminating ones) still exist. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumActual(oldRSs) > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata?.uid ?? ''));
    const selector = labelSelectorFromObject(this.d.spec?.selector);
    return this.ctl.pods.list(this.namespace).some((p: Pod) => {
      const uid = controllerOf(p)?.uid;
      if (!uid || !oldUids.has(uid) || uid === newRS?.metadata?.uid) return false;
      if (!selector.matches(p.metadata?.labels)) return false;
      return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    });
  }

  /** Deletes the oldest zero-sized ReplicaSets beyond revisionHistoryLimit (upstream cleanupDeployment). */
  private async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = alive.length - limit;
    for (const rs of alive.slice(0, Math.max(0, diff))) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.ctl.rsClient.delete(this.namespace, rs.metadata?.name ?? '');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw err;
      }
    }
  }

  // ---------- status ----------

  /** Upstream checkPausedConditions: DeploymentPaused / DeploymentResumed on the Progressing condition. */
  private async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASON.timedOut) return;
    const pausedCond = cond?.reason === REASON.paused;
    let next;
    if (d.spec?.paused && !pausedCond) {
      next = newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', this.now);
    } else if (!d.spec?.paused && pausedCond) {
      next = newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', this.now);
    }
    if (!next) return;
    const status = cloneJson(d.status ?? {});
    setCondition(status, next);
    await this.writeStatus(status);
  }

  private async syncStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const rss = allRSs.filter((rs): rs is ReplicaSet => rs !== undefined);
    const status = calculateStatus(rss, newRS, this.d, this.now);
    if (statusEqual(this.d.status, status)) return;
    await this.writeStatus(status);
  }

  /** Upstream syncRolloutStatus: counts plus the Progressing condition and its deadline. */
  private async syncRolloutStatus(
    allRSs: ReplicaSet[],
    newRS: ReplicaSet | undefined,
  ): Promise<SyncResult | void> {
    const status = rolloutStatus(this.d, allRSs, newRS, this.now);
    if (statusEqual(this.d.status, status)) {
      const after = stuckRequeueMs(this.d, status, this.now);
      return after === undefined ? undefined : { requeueAfterMs: after };
    }
    await this.writeStatus(status);
  }
}

function setResourceVersion(target: Deployment, from: Deployment): void {
  Object.assign(target.metadata ?? {}, { resourceVersion: from.metadata?.resourceVersion ?? '' });
}
