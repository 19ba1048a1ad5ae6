import type { Job } from 'kubernetes-types/batch/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, splitKey, type Informer, type ResourceClient, type SyncResult } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';

/** The time the Job finished (its Complete or Failed condition), or undefined while it runs. */
export function jobFinishTime(job: Job): number | undefined {
  const c = job.status?.conditions?.find(
    (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
  );
  if (!c) return undefined;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** When the finished Job expires, or undefined when it has no TTL, has not finished, or is being deleted. */
export function jobExpiresAt(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata?.deletionTimestamp) return undefined;
  const finished = jobFinishTime(job);
  return finished === undefined ? undefined : finished + ttl * 1000;
}

/**
 * Upstream's TTL-after-finished controller: deletes a finished Job (and, through the garbage collector, its
 * pods) ttlSecondsAfterFinished after its Complete or Failed condition, re-reading it from the API first so a
 * TTL changed in the meantime is honoured.
 */
export class TtlAfterFinishedController extends QueueController {
  private readonly jobs: Informer<Job>;
  private readonly jobClient: ResourceClient<Job>;

  constructor(ctx: ControllerContext) {
    super('ttl-after-finished-controller', ctx);
    this.jobClient = ctx.client.resource<Job>(R.jobs);
    this.jobs = ctx.informers.informer<Job>(R.jobs);
    const maybeEnqueue = (job: Job): void => {
      if (jobExpiresAt(job) !== undefined) this.enqueue(job);
    };
    this.jobs.addEventHandler({ add: maybeEnqueue, update: (_, j) => maybeEnqueue(j) });
  }

  /** Look at every Job again (tests advance a FakeClock and call this instead of waiting for timers). */
  resync(): void {
    for (const job of this.jobs.list()) if (jobExpiresAt(job) !== undefined) this.enqueue(job);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const cached = this.jobs.getByKey(key);
    if (!cached) return;
    const wait = this.remaining(cached);
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfterMs: wait };
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = await this.jobClient.get(namespace, name);
    } catch (err) {
      if (hasReason(err, 'NotFound')) return;
      throw err;
    }
    const freshWait = this.remaining(fresh);
    if (freshWait === undefined) return;
    if (freshWait > 0) return { requeueAfterMs: freshWait };
    try {
      await this.jobClient.delete(namespace, name, {
        // Upstream deletes in the foreground: the Job stays until its pods are gone.
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata?.uid ?? '' },
      });
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }

  private remaining(job: Job): number | undefined {
    const at = jobExpiresAt(job);
    return at === undefined ? undefined : Math.max(0, at - this.ctx.clock.now());
  }
}
