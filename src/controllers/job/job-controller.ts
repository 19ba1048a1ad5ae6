import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import { ownedAndOrphans, ownerIndex } from '../owner-index.js';
import { claimObjects, ownerStillLive } from '../replicaset/claim.js';
import { isPodActive, isPodReady, isPodTerminal } from '../../api/pods.js';
import {
  objectKey,
  R,
  runWorkers,
  WorkQueue,
  type EventRecorder,
  type Informer,
  type ResourceClient,
  type SyncResult,
} from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { Expectations } from '../expectations.js';
import { setFinalizer } from '../finalizers.js';
import { QueueController } from '../queue-controller.js';
import { nextBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import { ensureCondition, finishedCondition } from './conditions.js';
import { completionIndexOf, formatIndexes, parseIndexes } from '../../api/job-indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { compareForDeletion } from './pod-ranking.js';
import {
  hasBackoffLimitPerIndex,
  isIndexFailed,
  matchSuccessPolicy,
  podsAwaitingReplacement,
  remainingIndexBackoffMs,
  replacementAnnotations,
} from './per-index.js';
import { JOB_TRACKING_FINALIZER, podForJob } from './pod-template.js';
import { cloneJson } from '../../api/meta.js';

const BY_CONTROLLER_UID = 'job-controller-uid';
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
/** The interim conditions written before the finalizers go, and the final condition each leads to. */
const INTERIM: Record<string, 'Complete' | 'Failed'> = {
  SuccessCriteriaMet: 'Complete',
  FailureTarget: 'Failed',
};

interface Finish {
  type: 'Complete' | 'Failed';
  reason: string;
  message: string;
}

const hasTrackingFinalizer = (p: Pod): boolean =>
  p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;

/**
 * Upstream isPodFailed: with a podFailurePolicy only the Failed phase counts; otherwise (podReplacementPolicy
 * TerminatingOrFailed) a deleted pod that did not succeed counts as failed at once.
 */
function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podFailurePolicy) return false;
  if (job.spec?.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** Upstream pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts of live pods count. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) {
      restarts += c.restartCount;
    }
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** JSON with sorted keys: status comparisons must not depend on field order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Drops what upstream's omitempty fields would not serialise. */
function tidyStatus(status: JobStatus): JobStatus {
  const out = cloneJson(status);
  if (!out.succeeded) delete out.succeeded;
  if (!out.failed) delete out.failed;
  if (!out.completedIndexes) delete out.completedIndexes;
  if (out.conditions?.length === 0) delete out.conditions;
  const u = out.uncountedTerminatedPods;
  if (u) {
    if (u.succeeded?.length === 0) delete u.succeeded;
    if (u.failed?.length === 0) delete u.failed;
  }
  return out;
}

const asJob = (job: Job): Job => ({ ...job, apiVersion: 'batch/v1', kind: 'Job' });

/**
 * The Job controller (upstream pkg/controller/job): runs pods to completion, counting finished pods through
 * the `batch.kubernetes.io/job-tracking` finalizer and status.uncountedTerminatedPods so counts survive pod
 * deletion; backoffLimit with exponential replacement delay, activeDeadlineSeconds, suspend, Indexed mode.
 */
export class JobController extends QueueController {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly expectations: Expectations;
  private readonly recorder: EventRecorder;
  private readonly backoff = new Map<string, BackoffRecord>();
  /** uids of pods whose finalizer we removed, until the informer shows it gone (avoids counting twice). */
  private readonly released = new Set<string>();
  /** resourceVersion of our last status write per Job: an older cached Job is not synced. */
  private readonly written = new Map<string, number>();
  /** Pods that still carry the finalizer while their Job is gone. */
  private readonly orphans = new WorkQueue<string>();
  private orphanWorkers: Promise<void> | undefined;

  constructor(ctx: ControllerContext) {
    super('job-controller', ctx);
    this.recorder = ctx.events('job-controller');
    this.expectations = new Expectations(ctx.clock);
    this.jobClient = ctx.client.resource<Job>(R.jobs);
    this.podClient = ctx.client.resource<Pod>(R.pods);
    this.jobs = ctx.informers.informer<Job>(R.jobs);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    // Pods by their Job's uid, and orphans by namespace (a Job adopts the orphans its selector matches).
    this.pods.addIndexer(BY_CONTROLLER_UID, ownerIndex('Job'));
    this.jobs.addEventHandler({
      add: (j) => this.enqueue(j),
      update: (_, j) => this.enqueue(j),
      delete: (j) => this.onJobDeleted(j),
    });
    this.pods.addEventHandler({
      add: (p) => this.onPod(p, undefined),
      update: (old, p) => this.onPod(p, old),
      delete: (p) => this.onPodDeleted(p),
    });
  }

  /** Look at every Job again (tests advance a FakeClock and call this instead of waiting for timers). */
  resync(): void {
    for (const key of this.jobs.keys()) this.queue.add(key);
  }

  override run(): void {
    super.run();
    this.orphanWorkers ??= runWorkers(this.orphans, 1, (key) => this.syncOrphan(key), this.logger);
  }

  override async stop(): Promise<void> {
    this.orphans.shutDown();
    await Promise.all([super.stop(), this.orphanWorkers]);
  }

  private jobKeyOf(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const key = `${pod.metadata?.namespace ?? ''}/${ref.name}`;
    const job = this.jobs.getByKey(key);
    if (!job || job.metadata?.uid !== ref.uid) {
      if (hasTrackingFinalizer(pod)) this.orphans.add(objectKey(pod));
      return undefined;
    }
    return key;
  }

  /** Jobs whose selector matches an orphan pod: they may adopt it. */
  private enqueueAdopters(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) return;
    for (const job of this.jobs.list(pod.metadata?.namespace ?? '')) {
      if (job.spec?.selector && labelSelectorFromObject(job.spec.selector).matches(pod.metadata?.labels)) {
        this.queue.add(objectKey(job));
      }
    }
  }

  private onPod(pod: Pod, old: Pod | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod)) this.released.delete(uid);
    // A pod that lost its controller (or its labels changed) may now belong to another Job.
    const oldRef = old && controllerOf(old);
    if (oldRef?.kind === 'Job' && oldRef.uid !== controllerOf(pod)?.uid) {
      const previous = this.jobs.getByKey(`${pod.metadata?.namespace ?? ''}/${oldRef.name}`);
      if (previous?.metadata?.uid === oldRef.uid) this.queue.add(objectKey(previous));
    }
    if (!controllerOf(pod)) {
      this.enqueueAdopters(pod);
      return;
    }
    const key = this.jobKeyOf(pod);
    if (!key) return;
    if (!old) this.expectations.creationObserved(key);
    if (pod.metadata?.deletionTimestamp && !old?.metadata?.deletionTimestamp) {
      this.expectations.deletionObserved(key, objectKey(pod));
    }
    this.queue.add(key);
  }

  private onPodDeleted(pod: Pod): void {
    this.released.delete(pod.metadata?.uid ?? '');
    const key = this.jobKeyOf(pod);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  private onJobDeleted(job: Job): void {
    const key = objectKey(job);
    this.expectations.delete(key);
    this.backoff.delete(key);
    this.written.delete(key);
    for (const pod of this.pods.byIndex(BY_CONTROLLER_UID, job.metadata?.uid ?? '')) {
      if (hasTrackingFinalizer(pod)) this.orphans.add(objectKey(pod));
    }
  }

  /** Removes the finalizer of a pod whose Job no longer exists (checked against the API, not the cache). */
  private async syncOrphan(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref?.kind === 'Job') {
      try {
        const job = await this.jobClient.get(pod.metadata?.namespace ?? '', ref.name);
        if (job.metadata?.uid === ref.uid && !finishedCondition(job.status)) return;
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw err;
      }
    }
    await this.removeFinalizer(pod);
  }

  private removeFinalizer(pod: Pod): Promise<boolean> {
    return setFinalizer(this.podClient, pod, JOB_TRACKING_FINALIZER, false);
  }

  private isStale(job: Job): boolean {
    const written = this.written.get(objectKey(job));
    return written !== undefined && Number(job.metadata?.resourceVersion ?? 0) < written;
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const cached = this.jobs.getByKey(key);
    if (!cached) {
      this.expectations.delete(key);
      this.backoff.delete(key);
      this.written.delete(key);
      return;
    }
    if (this.isStale(cached)) return;
    // spec.managedBy names another controller: leave the Job to it.
    const managedBy = cached.spec?.managedBy;
    if (managedBy && managedBy !== JOB_CONTROLLER_NAME) return;
    const job = cloneJson(cached);
    const pods = await this.claimPods(job);
    if (finishedCondition(job.status)) {
      await this.releaseAll(pods.filter(hasTrackingFinalizer));
      this.backoff.delete(key);
      return;
    }
    return this.syncActiveJob(key, job, pods);
  }

  /**
   * The Job's pods (upstream getPodsForJob): those it controls that still match its selector, plus matching
   * orphans it adopts (controller reference and tracking finalizer added); pods whose labels no longer match
   * are released (reference and finalizer removed).
   */
  private async claimPods(job: Job): Promise<Pod[]> {
    const namespace = job.metadata?.namespace ?? '';
    const candidates = ownedAndOrphans(this.pods, BY_CONTROLLER_UID, job.metadata?.uid ?? '', namespace);
    if (!job.spec?.selector) return candidates.filter((p) => controllerOf(p)?.uid === job.metadata?.uid);
    return claimObjects(candidates, {
      owner: job,
      selector: labelSelectorFromObject(job.spec.selector),
      controllerRef: newControllerRef(job, 'batch/v1', 'Job'),
      client: this.podClient,
      canAdopt: () => ownerStillLive(this.jobClient, job),
      finalizers: [JOB_TRACKING_FINALIZER],
    });
  }

  private async releaseAll(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (await this.removeFinalizer(pod)) this.released.add(pod.metadata?.uid ?? '');
    }
  }

  private async syncActiveJob(key: string, job: Job, pods: Pod[]): Promise<SyncResult | void> {
    const spec = job.spec ?? { template: {} };
    const nowMs = this.ctx.clock.now();
    const now = rfc3339(nowMs);
    const status: JobStatus = cloneJson(job.status ?? {});
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const backoffLimit = spec.backoffLimit ?? 6;
    const suspended = spec.suspend === true;

    const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
    const succeededIndexes = indexed
      ? parseIndexes(status.completedIndexes, completions ?? 0)
      : new Set<number>();

    const perIndex = hasBackoffLimitPerIndex(job);
    const tracked = (p: Pod): boolean => hasTrackingFinalizer(p) && !this.released.has(p.metadata?.uid ?? '');
    const validIndex = (p: Pod): number | undefined => {
      const ix = completionIndexOf(p);
      return ix !== undefined && ix < (completions ?? 0) ? ix : undefined;
    };
    // Backoff limit per index: indexes out of retries, and per pending index the failed pod whose finalizer
    // waits for its replacement (which takes its failure count from it).
    const failedIndexes = perIndex ? parseIndexes(status.failedIndexes, completions ?? 0) : new Set<number>();
    let awaiting = new Map<number, Pod>();
    if (perIndex) {
      const succeededNow = new Set(succeededIndexes);
      const failedPods: Pod[] = [];
      for (const pod of pods) {
        const ix = validIndex(pod);
        if (ix === undefined || !tracked(pod)) continue;
        if (pod.status?.phase === 'Succeeded') succeededNow.add(ix);
        else if (isPodFailed(pod, job)) {
          failedPods.push(pod);
          if (isIndexFailed(job, pod, true)) failedIndexes.add(ix);
        }
      }
      const activeIndexes = new Set(pods.filter(isPodActive).map(completionIndexOf));
      awaiting = podsAwaitingReplacement(
        failedPods,
        completions ?? 0,
        (ix) => succeededNow.has(ix) || failedIndexes.has(ix) || activeIndexes.has(ix),
      );
    }
    const delayed = new Set([...awaiting.values()]);

    // Newly finished pods: those still carrying the finalizer that we have not put on record yet.
    const release: Pod[] = [];
    const newIndexes = new Map<string, number>();
    let newSucceeded = 0;
    let newFailed = 0;
    let delayedFailures = 0;
    let failJobMessage: string | undefined;
    for (const pod of pods) {
      const puid = pod.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(pod) || this.released.has(puid)) continue;
      if (pod.status?.phase === 'Succeeded' && !uncountedFailed.has(puid)) {
        release.push(pod);
        if (indexed) {
          const ix = completionIndexOf(pod);
          if (ix !== undefined && ix < (completions ?? 0) && !succeededIndexes.has(ix)) {
            newIndexes.set(puid, ix);
            newSucceeded++;
          }
        } else if (!uncountedSucceeded.has(puid)) {
          uncountedSucceeded.add(puid);
          newSucceeded++;
        }
      } else if (isPodFailed(pod, job) || uncountedFailed.has(puid)) {
        if (delayed.has(pod) && !uncountedFailed.has(puid)) {
          // Counted once its replacement exists (or the Job finishes), like upstream.
          delayedFailures++;
          continue;
        }
        release.push(pod);
        if (spec.podFailurePolicy && !uncountedFailed.has(puid)) {
          const match = matchPodFailurePolicy(spec.podFailurePolicy, pod);
          // Ignored failures lose their finalizer without being counted.
          if (match.action === 'Ignore') continue;
          if (match.action === 'FailJob') failJobMessage ??= match.message;
        }
        if (!uncountedFailed.has(puid)) {
          uncountedFailed.add(puid);
          newFailed++;
        }
      }
    }

    const allSucceededIndexes = new Set([...succeededIndexes, ...newIndexes.values()]);
    const succeeded = indexed ? allSucceededIndexes.size : (status.succeeded ?? 0) + uncountedSucceeded.size;
    const failed = (status.failed ?? 0) + uncountedFailed.size + delayedFailures;
    let active = pods.filter(isPodActive);

    if (!status.startTime && !suspended) status.startTime = now;

    let finish: Finish | undefined;
    let successPolicyMessage: string | undefined;
    const interim = status.conditions?.find((c) => INTERIM[c.type] && c.status === 'True');
    const startMs = status.startTime ? Date.parse(status.startTime) : undefined;
    const deadlineMs =
      spec.activeDeadlineSeconds != null && startMs !== undefined && !suspended
        ? startMs + spec.activeDeadlineSeconds * 1000
        : undefined;
    if (interim) {
      finish = { type: INTERIM[interim.type]!, reason: interim.reason ?? '', message: interim.message ?? '' };
    } else if (failJobMessage !== undefined) {
      finish = { type: 'Failed', reason: 'PodFailurePolicy', message: failJobMessage };
    } else if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
      finish = {
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    } else if (deadlineMs !== undefined && nowMs >= deadlineMs) {
      finish = {
        type: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    } else if (perIndex && spec.maxFailedIndexes != null && failedIndexes.size > spec.maxFailedIndexes) {
      finish = {
        type: 'Failed',
        reason: 'MaxFailedIndexesExceeded',
        message: 'Job has exceeded the specified maximal number of failed indexes',
      };
    } else if (
      perIndex &&
      failedIndexes.size > 0 &&
      failedIndexes.size + allSucceededIndexes.size >= (completions ?? 0)
    ) {
      finish = { type: 'Failed', reason: 'FailedIndexes', message: 'Job has failed indexes' };
    } else if (
      indexed &&
      (successPolicyMessage = matchSuccessPolicy(spec.successPolicy, completions ?? 0, allSucceededIndexes))
    ) {
      finish = { type: 'Complete', reason: 'SuccessPolicy', message: successPolicyMessage };
    } else if (
      indexed
        ? allSucceededIndexes.size >= (completions ?? 0)
        : completions != null
          ? succeeded >= completions
          : succeeded > 0 && active.length === 0
    ) {
      finish = {
        type: 'Complete',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      };
    }

    if (finish) {
      for (const pod of delayed) {
        release.push(pod);
        uncountedFailed.add(pod.metadata?.uid ?? '');
      }
    }

    let requeueAfterMs: number | undefined;
    const record = nextBackoffRecord(this.backoff.get(key), newSucceeded, newFailed, nowMs);

    // Pods to delete and to create.
    let toDelete: Pod[] = [];
    let toCreate: (number | undefined)[] = [];
    if (finish || suspended) {
      toDelete = active;
    } else if (this.expectations.satisfied(key) && !job.metadata?.deletionTimestamp) {
      const plan = indexed
        ? this.planIndexed(active, allSucceededIndexes, completions ?? 0, parallelism, failedIndexes)
        : this.planNonIndexed(active, succeeded, completions, parallelism);
      toDelete = plan.toDelete;
      toCreate = plan.toCreate;
      if (toCreate.length > 0 && perIndex) {
        // Each index waits out its own backoff; the others go ahead.
        const waits = toCreate.map((ix) => remainingIndexBackoffMs(awaiting.get(ix!), nowMs));
        const ready = toCreate.filter((_, i) => waits[i] === 0);
        if (ready.length === 0) requeueAfterMs = Math.min(...waits);
        toCreate = ready;
      } else if (toCreate.length > 0) {
        const wait = remainingBackoffMs(record, nowMs);
        if (wait > 0) {
          toCreate = [];
          requeueAfterMs = wait;
        }
      }
    }

    const deleted = await this.deletePods(key, job, toDelete);
    active = active.filter((p) => !deleted.has(p.metadata?.uid ?? ''));
    // When the Job fails, the pods it terminates count as failed (upstream: every non-terminated pod does).
    for (const pod of toDelete) {
      const puid = pod.metadata?.uid ?? '';
      if (!deleted.has(puid) || !hasTrackingFinalizer(pod)) continue;
      if (finish?.type === 'Failed' && !uncountedFailed.has(puid)) uncountedFailed.add(puid);
      if (finish) release.push(pod);
    }
    const created = await this.createPods(key, job, toCreate, perIndex ? awaiting : undefined);

    // Put newly finished pods on record before dropping their finalizers, so a crash cannot lose them.
    let latest = job;
    const uncountedChanged =
      uncountedSucceeded.size !== (status.uncountedTerminatedPods?.succeeded?.length ?? 0) ||
      uncountedFailed.size !== (status.uncountedTerminatedPods?.failed?.length ?? 0);
    // The verdict goes on record (SuccessCriteriaMet / FailureTarget) before the pods that led to it lose
    // their finalizers, so it survives a failed write or a restart.
    const interimAdded =
      finish !== undefined &&
      ensureCondition(
        status,
        finish.type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget',
        'True',
        finish.reason,
        finish.message,
        now,
      );
    // Failed indexes go on record before the finalizers of the pods that failed them go.
    let failedIndexesChanged = false;
    if (perIndex) {
      const text = formatIndexes(failedIndexes);
      failedIndexesChanged = text !== status.failedIndexes;
      status.failedIndexes = text;
    }
    if (uncountedChanged || interimAdded || failedIndexesChanged) {
      status.uncountedTerminatedPods = { succeeded: [...uncountedSucceeded], failed: [...uncountedFailed] };
      latest = await this.writeStatus(key, latest, status);
    }
    this.backoff.set(key, record ?? { failuresAfterLastSuccess: 0, lastFailureTime: 0 });

    const releasedNow = new Set<string>();
    for (const pod of release) {
      const puid = pod.metadata?.uid ?? '';
      if (await this.removeFinalizer(pod)) {
        this.released.add(puid);
        releasedNow.add(puid);
      }
    }
    // Move released (or vanished) pods from the uncounted lists to the counters.
    const present = new Set(pods.map((p) => p.metadata?.uid ?? ''));
    const settled = (puid: string): boolean => releasedNow.has(puid) || !present.has(puid);
    let succeededCount = status.succeeded ?? 0;
    let failedCount = status.failed ?? 0;
    for (const puid of [...uncountedSucceeded]) {
      if (!settled(puid)) continue;
      uncountedSucceeded.delete(puid);
      succeededCount++;
    }
    for (const puid of [...uncountedFailed]) {
      if (!settled(puid)) continue;
      uncountedFailed.delete(puid);
      failedCount++;
    }
    if (indexed) {
      for (const [puid, ix] of newIndexes) if (releasedNow.has(puid)) succeededIndexes.add(ix);
      succeededCount = succeededIndexes.size;
      status.completedIndexes = formatIndexes(succeededIndexes);
    }
    status.succeeded = succeededCount;
    status.failed = failedCount;
    status.uncountedTerminatedPods = { succeeded: [...uncountedSucceeded], failed: [...uncountedFailed] };
    status.active = active.length + created;
    status.ready = active.filter(isPodReady).length;
    status.terminating = pods.filter(
      (p) => !isPodTerminal(p) && (p.metadata?.deletionTimestamp || deleted.has(p.metadata?.uid ?? '')),
    ).length;

    const jobForEvents = asJob(job);
    if (!finish) {
      if (suspended) {
        if (ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
          this.recorder.event(jobForEvents, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        this.recorder.event(jobForEvents, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts continuous activity: restart it on resume.
        status.startTime = now;
      }
    }
    const allCounted = uncountedSucceeded.size === 0 && uncountedFailed.size === 0;
    if (finish && allCounted) {
      ensureCondition(status, finish.type, 'True', finish.reason, finish.message, now);
      if (finish.type === 'Complete') {
        status.completionTime = now;
        this.recorder.event(jobForEvents, 'Normal', 'Completed', 'Job completed');
      } else {
        this.recorder.event(jobForEvents, 'Warning', finish.reason, finish.message);
      }
      this.backoff.delete(key);
    }
    if (canonical(tidyStatus(status)) !== canonical(latest.status ?? {})) {
      await this.writeStatus(key, latest, status);
    }
    if (finish && !allCounted) throw new Error('finished pods not yet counted');

    if (!finish && deadlineMs !== undefined) {
      const untilDeadline = Math.max(0, deadlineMs - nowMs);
      requeueAfterMs = requeueAfterMs === undefined ? untilDeadline : Math.min(requeueAfterMs, untilDeadline);
    }
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  private planNonIndexed(
    active: Pod[],
    succeeded: number,
    completions: number | undefined,
    parallelism: number,
  ): { toDelete: Pod[]; toCreate: undefined[] } {
    let want: number;
    if (completions == null) want = succeeded > 0 ? active.length : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - succeeded));
    if (active.length > want) {
      return { toDelete: [...active].sort(compareForDeletion).slice(0, active.length - want), toCreate: [] };
    }
    return { toDelete: [], toCreate: Array.from({ length: want - active.length }, () => undefined) };
  }

  private planIndexed(
    active: Pod[],
    succeeded: Set<number>,
    completions: number,
    parallelism: number,
    failedIndexes: Set<number>,
  ): { toDelete: Pod[]; toCreate: number[] } {
    const toDelete: Pod[] = [];
    const byIndex = new Map<number, Pod>();
    // Keep one pod per pending index: the best one; drop pods of finished, invalid or duplicate indexes.
    for (const pod of [...active].sort(compareForDeletion).reverse()) {
      const ix = completionIndexOf(pod);
      if (ix === undefined || ix >= completions || succeeded.has(ix) || byIndex.has(ix)) toDelete.push(pod);
      else byIndex.set(ix, pod);
    }
    const want = Math.max(0, Math.min(parallelism, completions - succeeded.size));
    const kept = [...byIndex.keys()].sort((a, b) => b - a);
    while (kept.length > want) {
      const ix = kept.shift()!;
      toDelete.push(byIndex.get(ix)!);
    }
    const toCreate: number[] = [];
    for (let ix = 0; ix < completions && kept.length + toCreate.length < want; ix++) {
      if (!succeeded.has(ix) && !byIndex.has(ix) && !failedIndexes.has(ix)) toCreate.push(ix);
    }
    return { toDelete, toCreate };
  }

  /** `replacing`: per index, the failed pod a new one replaces (backoff limit per index counts from it). */
  private async createPods(
    key: string,
    job: Job,
    indexes: (number | undefined)[],
    replacing?: Map<number, Pod>,
  ): Promise<number> {
    if (indexes.length === 0) return 0;
    this.expectations.expectCreations(key, indexes.length);
    let created = 0;
    let failure: Error | undefined;
    await Promise.all(
      indexes.map(async (ix) => {
        try {
          const annotations =
            replacing && ix !== undefined ? replacementAnnotations(job, replacing.get(ix)) : undefined;
          const pod = await this.podClient.create(podForJob(job, ix, annotations));
          created++;
          this.recorder.event(
            asJob(job),
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${pod.metadata?.name ?? ''}`,
          );
        } catch (err) {
          this.expectations.lowerCreations(key);
          failure ??= err instanceof Error ? err : new Error(String(err));
          this.recorder.event(
            asJob(job),
            'Warning',
            'FailedCreate',
            `Error creating: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }),
    );
    if (failure !== undefined && created === 0) throw failure;
    return created;
  }

  /** Returns the uids of the pods deleted (or already gone). */
  private async deletePods(key: string, job: Job, pods: Pod[]): Promise<Set<string>> {
    const deleted = new Set<string>();
    if (pods.length === 0) return deleted;
    this.expectations.expectDeletions(
      key,
      pods.map((p) => objectKey(p)),
    );
    await Promise.all(
      pods.map(async (pod) => {
        const ns = pod.metadata?.namespace ?? '';
        const name = pod.metadata?.name ?? '';
        try {
          await this.podClient.delete(ns, name, { preconditions: { uid: pod.metadata?.uid ?? '' } });
          this.recorder.event(asJob(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
          deleted.add(pod.metadata?.uid ?? '');
        } catch (err) {
          if (hasReason(err, 'NotFound')) deleted.add(pod.metadata?.uid ?? '');
          else this.expectations.deletionObserved(key, objectKey(pod));
        }
      }),
    );
    return deleted;
  }

  private async writeStatus(key: string, job: Job, status: JobStatus): Promise<Job> {
    const updated = await this.jobClient.updateStatus({ ...job, status: tidyStatus(status) });
    this.written.set(key, Number(updated.metadata?.resourceVersion ?? 0));
    return updated;
  }
}
