import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import { R, type ResourceClient } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startBatchCluster, startBatchKubelet, type BatchCluster, type Outcome } from './batch-kubelet.js';

const MINUTE = 60_000;

interface Env {
  cluster: BatchCluster;
  cronJobs: ResourceClient<CronJob>;
  jobs: ResourceClient<Job>;
}

/** Each test gets its own cluster: the fake clock only moves forward and the API server stamps real time. */
async function withCluster(outcome: Outcome, fn: (env: Env) => Promise<void>): Promise<void> {
  const cluster = await startBatchCluster();
  const kubelet = startBatchKubelet(cluster.client, { clock: cluster.clock, outcome: () => outcome });
  try {
    await fn({
      cluster,
      cronJobs: cluster.client.resource<CronJob>(R.cronJobs),
      jobs: cluster.client.resource<Job>(R.jobs),
    });
  } finally {
    kubelet.stop();
    await cluster.close();
  }
}

function newCronJob(name: string, schedule: string, spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule,
      ...spec,
      jobTemplate: {
        metadata: { labels: { cron: name } },
        spec: {
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
          },
        },
      },
    },
  };
}

/** Creates the CronJob and returns the first whole minute after its creationTimestamp. */
async function create(env: Env, cj: CronJob): Promise<number> {
  const created = await env.cronJobs.create(cj);
  const at = Date.parse(created.metadata?.creationTimestamp ?? '');
  return Math.floor(at / MINUTE) * MINUTE + MINUTE;
}

const jobName = (cron: string, ms: number): string => `${cron}-${ms / MINUTE}`;

async function jobsOf(env: Env, cron: string): Promise<Job[]> {
  const all = (await env.jobs.list('default', { labelSelector: `cron=${cron}` })).items;
  return all.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

async function eventReasons(env: Env, name: string): Promise<string[]> {
  const events = (await env.cluster.client.resource<Event>(R.events).list('default')).items;
  return events.filter((e) => e.involvedObject.name === name).map((e) => e.reason ?? '');
}

const jobExists = async (env: Env, name: string): Promise<Job | undefined> =>
  env.jobs.get('default', name).catch(() => undefined);

const finished = (j: Job | undefined): boolean =>
  j?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;

test('creates a Job per schedule time, tracks it, then records the success', () =>
  withCluster('Succeeded', async (env) => {
    const m1 = await create(env, newCronJob('every', '*/1 * * * *'));
    env.cluster.tickTo(m1 + 1000);
    const job = await waitFor(() => jobExists(env, jobName('every', m1)), { message: 'first job' });
    assert.equal(
      job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      new Date(m1).toISOString().replace('.000Z', 'Z'),
    );
    assert.equal(job.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
    assert.equal(job.metadata?.ownerReferences?.[0]?.controller, true);
    const done = await waitFor(async () => {
      const cj = await env.cronJobs.get('default', 'every');
      return cj.status?.lastSuccessfulTime && !cj.status.active ? cj : undefined;
    });
    assert.equal(done.status?.lastScheduleTime, new Date(m1).toISOString().replace('.000Z', 'Z'));
    await waitFor(async () => (await eventReasons(env, 'every')).includes('SawCompletedJob'));

    env.cluster.tickTo(m1 + MINUTE + 1000);
    await waitFor(() => jobExists(env, jobName('every', m1 + MINUTE)), { message: 'second job' });
    const reasons = await eventReasons(env, 'every');
    assert.ok(reasons.includes('SuccessfulCreate'));
  }));

test('Forbid skips a run while the previous one is active', () =>
  withCluster('Running', async (env) => {
    const m1 = await create(env, newCronJob('forbid', '*/1 * * * *', { concurrencyPolicy: 'Forbid' }));
    env.cluster.tickTo(m1 + 1000);
    await waitFor(async () => (await env.cronJobs.get('default', 'forbid')).status?.active?.length === 1);
    env.cluster.tickTo(m1 + MINUTE + 1000);
    await waitFor(async () => (await eventReasons(env, 'forbid')).includes('JobAlreadyActive'));
    assert.deepEqual(
      (await jobsOf(env, 'forbid')).map((j) => j.metadata?.name),
      [jobName('forbid', m1)],
    );
  }));

test('Replace deletes the running Job and starts the new one', () =>
  withCluster('Running', async (env) => {
    const m1 = await create(env, newCronJob('replace', '*/1 * * * *', { concurrencyPolicy: 'Replace' }));
    env.cluster.tickTo(m1 + 1000);
    await waitFor(() => jobExists(env, jobName('replace', m1)));
    env.cluster.tickTo(m1 + MINUTE + 1000);
    await waitFor(async () => {
      const names = (await jobsOf(env, 'replace')).map((j) => j.metadata?.name);
      return names.length === 1 && names[0] === jobName('replace', m1 + MINUTE);
    });
    const cj = await waitFor(async () => {
      const c = await env.cronJobs.get('default', 'replace');
      return c.status?.active?.[0]?.name === jobName('replace', m1 + MINUTE) ? c : undefined;
    });
    assert.equal(cj.status?.active?.length, 1);
    assert.ok((await eventReasons(env, 'replace')).includes('SuccessfulDelete'));
  }));

test('history limits prune the oldest finished Jobs', () =>
  withCluster('Succeeded', async (env) => {
    const m1 = await create(
      env,
      newCronJob('history', '*/1 * * * *', { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }),
    );
    for (let i = 0; i < 4; i++) {
      env.cluster.tickTo(m1 + i * MINUTE + 1000);
      await waitFor(async () => finished(await jobExists(env, jobName('history', m1 + i * MINUTE))), {
        message: `job ${i} finished`,
      });
    }
    await waitFor(
      async () => {
        const names = (await jobsOf(env, 'history')).map((j) => j.metadata?.name);
        return (
          names.length === 2 &&
          names[0] === jobName('history', m1 + 2 * MINUTE) &&
          names[1] === jobName('history', m1 + 3 * MINUTE)
        );
      },
      { message: 'two newest jobs kept' },
    );
  }));

test('suspend stops scheduling; resuming runs the missed time once', () =>
  withCluster('Running', async (env) => {
    const m1 = await create(env, newCronJob('paused', '*/1 * * * *', { suspend: true }));
    await create(env, newCronJob('witness', '*/1 * * * *'));
    env.cluster.tickTo(m1 + 2 * MINUTE + 1000);
    // The same resync handled both; the unsuspended one proves the clock tick was seen.
    await waitFor(() => jobExists(env, jobName('witness', m1 + 2 * MINUTE)));
    await waitFor(async () => (await env.cronJobs.get('default', 'witness')).status?.active?.length === 1);
    assert.equal((await jobsOf(env, 'paused')).length, 0);
    await env.cronJobs.patch('default', 'paused', 'merge', { spec: { suspend: false } });
    await waitFor(() => jobExists(env, jobName('paused', m1 + 2 * MINUTE)));
    assert.equal((await jobsOf(env, 'paused')).length, 1);
  }));

test('missed schedules: only the most recent within startingDeadlineSeconds runs', () =>
  withCluster('Running', async (env) => {
    const m1 = await create(env, newCronJob('late', '*/1 * * * *', { startingDeadlineSeconds: 120 }));
    env.cluster.tickTo(m1 + 5 * MINUTE + 30_000);
    const expected = jobName('late', m1 + 5 * MINUTE);
    await waitFor(() => jobExists(env, expected));
    const cj = await waitFor(async () => {
      const c = await env.cronJobs.get('default', 'late');
      return c.status?.lastScheduleTime ? c : undefined;
    });
    assert.equal(cj.status?.lastScheduleTime, new Date(m1 + 5 * MINUTE).toISOString().replace('.000Z', 'Z'));
    assert.deepEqual(
      (await jobsOf(env, 'late')).map((j) => j.metadata?.name),
      [expected],
    );
  }));

test('more than 100 missed times: one run and a TooManyMissedTimes warning', () =>
  withCluster('Running', async (env) => {
    const m1 = await create(env, newCronJob('wedged', '*/1 * * * *'));
    env.cluster.tickTo(m1 + 200 * MINUTE + 1000);
    await waitFor(() => jobExists(env, jobName('wedged', m1 + 200 * MINUTE)));
    await waitFor(async () => (await eventReasons(env, 'wedged')).includes('TooManyMissedTimes'));
    assert.equal((await jobsOf(env, 'wedged')).length, 1);
  }));

test('timeZone shifts the schedule', () =>
  withCluster('Running', async (env) => {
    const created = await create(env, newCronJob('tokyo', '0 9 * * *', { timeZone: 'Asia/Tokyo' }));
    // 09:00 in Tokyo is 00:00 UTC.
    const day = 24 * 60 * MINUTE;
    const midnightUtc = Math.ceil(created / day) * day;
    env.cluster.tickTo(midnightUtc - MINUTE);
    env.cluster.tickTo(midnightUtc + 1000);
    const job = await waitFor(() => jobExists(env, jobName('tokyo', midnightUtc)));
    const date = new Date(midnightUtc).toISOString().slice(0, 10);
    assert.equal(
      job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      `${date}T09:00:00+09:00`,
    );
    assert.equal((await jobsOf(env, 'tokyo')).length, 1);
  }));
