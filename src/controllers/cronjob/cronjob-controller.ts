import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { hasReason } from '../../api/errors.js';
import { controllerOf, isControlledBy, newControllerRef } from '../../api/owners.js';
import {
  objectKey,
  R,
  type EventRecorder,
  type Informer,
  type ResourceClient,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import {
  isValidTimeZone,
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleDelayMs,
  parseSchedule,
  rfc3339InZone,
  ScheduleError,
  type Schedule,
  type ScheduleInputs,
} from './schedule.js';
import { cloneJson } from '../../api/meta.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const BY_CONTROLLER_UID = 'cronjob-controller-uid';
/** Timers longer than this are re-armed (setTimeout overflows past 2^31 ms). */
const MAX_REQUEUE_MS = 24 * 3600_000;

const asCronJob = (cj: CronJob): CronJob => ({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' });

function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find(
    (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
  );
  return c?.type as 'Complete' | 'Failed' | undefined;
}

function toMs(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(
    d.getUTCHours(),
  )}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Go's RFC 3339 for status times (UTC, whole seconds). */
const rfc3339 = (ms: number): string => rfc3339InZone(ms, 'UTC');

interface Outcome {
  requeueAfterMs?: number;
  updateStatus: boolean;
}

/**
 * The CronJob controller (upstream cronjob_controllerv2.go): creates a Job `<name>-<minutes>` for the most
 * recent unmet schedule time, honours concurrencyPolicy, startingDeadlineSeconds, suspend and timeZone,
 * tracks status.active / lastScheduleTime / lastSuccessfulTime and prunes finished Jobs beyond the history
 * limits. Time comes from the injected clock; each sync asks to be requeued for the next schedule time.
 */
export class CronJobController extends QueueController {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly cronJobClient: ResourceClient<CronJob>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly recorder: EventRecorder;
  private readonly written = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super('cronjob-controller', ctx);
    this.recorder = ctx.events('cronjob-controller');
    this.cronJobClient = ctx.client.resource<CronJob>(R.cronJobs);
    this.jobClient = ctx.client.resource<Job>(R.jobs);
    this.cronJobs = ctx.informers.informer<CronJob>(R.cronJobs);
    this.jobs = ctx.informers.informer<Job>(R.jobs);
    this.jobs.addIndexer(BY_CONTROLLER_UID, (j) => {
      const ref = controllerOf(j);
      return ref?.kind === 'CronJob' ? [ref.uid] : [];
    });
    this.cronJobs.addEventHandler({
      add: (cj) => this.enqueue(cj),
      update: (_, cj) => this.enqueue(cj),
      delete: (cj) => this.written.delete(objectKey(cj)),
    });
    const onJob = (job: Job): void => {
      const ref = controllerOf(job);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.cronJobs.get(job.metadata?.namespace ?? '', ref.name);
      if (cj?.metadata?.uid === ref.uid) this.enqueue(cj);
    };
    this.jobs.addEventHandler({ add: onJob, update: (_, j) => onJob(j), delete: onJob });
  }

  /** Look at every CronJob again (tests advance a FakeClock and call this instead of waiting for timers). */
  resync(): void {
    for (const key of this.cronJobs.keys()) this.queue.add(key);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const cached = this.cronJobs.getByKey(key);
    if (!cached) return;
    const written = this.written.get(key);
    if (written !== undefined && Number(cached.metadata?.resourceVersion ?? 0) < written) return;
    let cj = cloneJson(cached);
    const jobs = this.jobs
      .byIndex(BY_CONTROLLER_UID, cj.metadata?.uid ?? '')
      .filter((j) => j.metadata?.namespace === cj.metadata?.namespace);
    let outcome: Outcome;
    try {
      ({ cj, outcome } = await this.syncCronJob(cj, jobs));
    } catch (err) {
      // Status changes made before the failure (e.g. a replaced job) are still written.
      if (err instanceof SyncFailure && err.updateStatus) await this.writeStatus(key, err.cj);
      throw err instanceof SyncFailure ? err.cause : err;
    }
    if (await this.cleanupFinishedJobs(cj, jobs)) outcome.updateStatus = true;
    if (outcome.updateStatus) await this.writeStatus(key, cj);
    if (outcome.requeueAfterMs === undefined) return;
    return { requeueAfterMs: Math.min(Math.max(outcome.requeueAfterMs, 0), MAX_REQUEUE_MS) };
  }

  private async writeStatus(key: string, cj: CronJob): Promise<void> {
    const updated = await this.cronJobClient.updateStatus(cj);
    this.written.set(key, Number(updated.metadata?.resourceVersion ?? 0));
  }

  private inputs(cj: CronJob): ScheduleInputs {
    return {
      createdMs: toMs(cj.metadata?.creationTimestamp) ?? this.ctx.clock.now(),
      lastScheduleMs: toMs(cj.status?.lastScheduleTime),
      startingDeadlineSeconds: cj.spec?.startingDeadlineSeconds ?? undefined,
    };
  }

  private async syncCronJob(cjIn: CronJob, jobs: Job[]): Promise<{ cj: CronJob; outcome: Outcome }> {
    let cj = cjIn;
    const now = this.ctx.clock.now();
    let updateStatus = false;
    cj.status ??= {};
    const children = new Set<string>();
    const event = (type: 'Normal' | 'Warning', reason: string, message: string): void =>
      this.recorder.event(asCronJob(cj), type, reason, message);
    const inActive = (uid: string | undefined): boolean =>
      (cj.status?.active ?? []).some((r) => r.uid === uid);
    const removeActive = (uid: string | undefined): void => {
      const st = (cj.status ??= {});
      st.active = (st.active ?? []).filter((r) => r.uid !== uid);
      if (st.active.length === 0) delete st.active;
    };

    for (const job of jobs) {
      const uid = job.metadata?.uid ?? '';
      children.add(uid);
      const finished = finishedType(job);
      const found = inActive(uid);
      if (!found && !finished) {
        const fresh = await this.cronJobClient.get(cj.metadata?.namespace ?? '', cj.metadata?.name ?? '');
        if ((fresh.status?.active ?? []).some((r) => r.uid === uid)) {
          cj = fresh;
          continue;
        }
        event(
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata?.name ?? ''}`,
        );
      } else if (found && finished) {
        removeActive(uid);
        event(
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata?.name ?? ''}, condition: ${finished}`,
        );
        updateStatus = true;
      } else if (finished === 'Complete') {
        const completed = toMs(job.status?.completionTime);
        const last = toMs(cj.status?.lastSuccessfulTime);
        if (completed !== undefined && (last === undefined || completed > last)) {
          (cj.status ??= {}).lastSuccessfulTime = job.status?.completionTime;
          updateStatus = true;
        }
      }
    }
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.jobClient.get(ref.namespace ?? '', ref.name ?? '');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw new SyncFailure(cj, updateStatus, err);
        event('Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        removeActive(ref.uid);
        updateStatus = true;
      }
    }

    const done = (requeueAfterMs?: number): { cj: CronJob; outcome: Outcome } => ({
      cj,
      outcome: requeueAfterMs === undefined ? { updateStatus } : { updateStatus, requeueAfterMs },
    });
    if (cj.metadata?.deletionTimestamp) return done();

    const spec = cj.spec;
    if (!spec) return done();
    const timeZone = spec.timeZone ?? undefined;
    if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
      event('Warning', 'UnknownTimeZone', `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`);
      return done();
    }
    if (spec.suspend === true) return done();

    let schedule: Schedule;
    if (spec.schedule.includes('TZ')) {
      event(
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule "${spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    try {
      schedule = parseSchedule(spec.schedule, timeZone);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      event('Warning', 'UnparseableSchedule', `unparseable schedule: "${spec.schedule}" : ${err.message}`);
      return done();
    }

    let scheduledMs: number | undefined;
    try {
      const r = mostRecentScheduleTime(this.inputs(cj), now, schedule, true);
      scheduledMs = r.mostRecentMs;
      if (scheduledMs !== undefined && r.missed === 'many') {
        event(
          'Warning',
          'TooManyMissedTimes',
          'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
        );
      }
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      event('Warning', 'InvalidSchedule', `invalid schedule: ${spec.schedule} : ${err.message}`);
      return done();
    }
    const nextDelay = (): number | undefined => nextScheduleDelayMs(this.inputs(cj), now, schedule);
    if (scheduledMs === undefined) return done(nextDelay());

    if (spec.startingDeadlineSeconds != null && scheduledMs + spec.startingDeadlineSeconds * 1000 < now) {
      event('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduledMs)}`);
      return done(nextDelay());
    }
    const jobName = jobNameFor(cj.metadata?.name ?? '', scheduledMs);
    if (
      (cj.status?.active ?? []).some((r) => r.name === jobName) ||
      toMs(cj.status?.lastScheduleTime) === scheduledMs
    ) {
      return done(nextDelay());
    }
    if (spec.concurrencyPolicy === 'Forbid' && (cj.status?.active?.length ?? 0) > 0) {
      event(
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return done(nextDelay());
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: Job;
        try {
          job = await this.jobClient.get(ref.namespace ?? '', ref.name ?? '');
        } catch (err) {
          event('Warning', 'FailedGet', `Get job: ${err instanceof Error ? err.message : String(err)}`);
          throw new SyncFailure(cj, updateStatus, err);
        }
        if (!(await this.deleteJob(cj, job))) {
          throw new SyncFailure(
            cj,
            updateStatus,
            new Error(`could not replace job ${ref.namespace}/${ref.name}`),
          );
        }
        updateStatus = true;
      }
    }

    let created: Job;
    try {
      created = await this.jobClient.create(this.jobFromTemplate(cj, scheduledMs, jobName, timeZone));
      event('Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name ?? ''}`);
    } catch (err) {
      if (!hasReason(err, 'AlreadyExists')) {
        event(
          'Warning',
          'FailedCreate',
          `Error creating job: ${err instanceof Error ? err.message : String(err)}`,
        );
        throw new SyncFailure(cj, updateStatus, err);
      }
      // Created earlier but the status write was lost: adopt it into the active list if it is ours.
      created = await this.jobClient.get(cj.metadata?.namespace ?? '', jobName);
      if (!isControlledBy(created, cj) || inActive(created.metadata?.uid)) return done();
    }
    const st = (cj.status ??= {});
    st.active = [
      ...(st.active ?? []),
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        namespace: created.metadata?.namespace ?? '',
        name: created.metadata?.name ?? '',
        uid: created.metadata?.uid ?? '',
        resourceVersion: created.metadata?.resourceVersion ?? '',
      },
    ];
    st.lastScheduleTime = rfc3339(scheduledMs);
    updateStatus = true;
    return done(nextDelay());
  }

  private jobFromTemplate(cj: CronJob, scheduledMs: number, name: string, timeZone: string | undefined): Job {
    const template = cloneJson(cj.spec?.jobTemplate ?? {});
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace ?? 'default',
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339InZone(scheduledMs, timeZone ?? 'UTC'),
        },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: template.spec ?? { template: {} },
    };
  }

  /** Deletes a Job (its pods follow through the garbage collector) and drops it from the active list. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.jobClient.delete(job.metadata?.namespace ?? '', job.metadata?.name ?? '', {
        propagationPolicy: 'Background',
      });
    } catch (err) {
      if (!hasReason(err, 'NotFound')) {
        this.recorder.event(
          asCronJob(cj),
          'Warning',
          'FailedDelete',
          `Deleted job: ${err instanceof Error ? err.message : String(err)}`,
        );
        return false;
      }
    }
    const st = (cj.status ??= {});
    st.active = (st.active ?? []).filter((r) => r.uid !== job.metadata?.uid);
    if (st.active.length === 0) delete st.active;
    this.recorder.event(
      asCronJob(cj),
      'Normal',
      'SuccessfulDelete',
      `Deleted job ${job.metadata?.name ?? ''}`,
    );
    return true;
  }

  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const spec = cj.spec;
    if (!spec || (spec.successfulJobsHistoryLimit == null && spec.failedJobsHistoryLimit == null))
      return false;
    const live = jobs.filter((j) => !j.metadata?.deletionTimestamp);
    let updated = false;
    const prune = async (list: Job[], limit: number | undefined): Promise<void> => {
      if (limit == null || list.length <= limit) return;
      const sorted = [...list].sort(byStartTime);
      for (const job of sorted.slice(0, list.length - limit))
        if (await this.deleteJob(cj, job)) updated = true;
    };
    await prune(
      live.filter((j) => finishedType(j) === 'Complete'),
      spec.successfulJobsHistoryLimit ?? undefined,
    );
    await prune(
      live.filter((j) => finishedType(j) === 'Failed'),
      spec.failedJobsHistoryLimit ?? undefined,
    );
    return updated;
  }
}

/** Upstream's byJobStartTime: jobs without a start time last, ties by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = toMs(a.status?.startTime);
  const sb = toMs(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  return (sa ?? 0) - (sb ?? 0);
}

class SyncFailure extends Error {
  constructor(
    readonly cj: CronJob,
    readonly updateStatus: boolean,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
