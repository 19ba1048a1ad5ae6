import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive } from '../../src/api/pods.js';
import { Informer, R, type ResourceClient } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { waitUntilGone } from '../helpers/gone.js';
import {
  startBatchCluster,
  startBatchKubelet,
  type BatchCluster,
  type BatchKubelet,
} from './batch-kubelet.js';

let cluster: BatchCluster;
let kubelet: BatchKubelet;
let jobs: ResourceClient<Job>;
let pods: ResourceClient<Pod>;

before(async () => {
  cluster = await startBatchCluster();
  kubelet = startBatchKubelet(cluster.client, { clock: cluster.clock });
  jobs = cluster.client.resource<Job>(R.jobs);
  pods = cluster.client.resource<Pod>(R.pods);
});
after(async () => {
  kubelet.stop();
  await cluster.close();
});

function newJob(name: string, spec: Partial<NonNullable<Job['spec']>> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { app: name } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  };
}

const condition = (job: Job | undefined, type: string): JobCondition | undefined =>
  job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');

const getJob = (name: string): Promise<Job> => jobs.get('default', name);

async function waitForCondition(name: string, type: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = await getJob(name);
      return condition(job, type) ? job : undefined;
    },
    { message: `job ${name} ${type}` },
  );
}

async function podsOf(name: string): Promise<Pod[]> {
  return (await pods.list('default', { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}

async function eventReasons(name: string): Promise<string[]> {
  const events = (await cluster.client.resource<Event>(R.events).list('default')).items;
  return events.filter((e) => e.involvedObject.name === name).map((e) => e.reason ?? '');
}

test('completions=5 parallelism=2 completes with never more than 2 active pods', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'five' ? 'Succeeded' : 'Running'));
  const watched = new Informer<Pod>(pods, { labelSelector: 'batch.kubernetes.io/job-name=five' });
  const active = new Set<string>();
  let maxActive = 0;
  const track = (p: Pod): void => {
    if (isPodActive(p)) active.add(p.metadata?.uid ?? '');
    else active.delete(p.metadata?.uid ?? '');
    maxActive = Math.max(maxActive, active.size);
  };
  watched.addEventHandler({
    add: track,
    update: (_, p) => track(p),
    delete: (p) => active.delete(p.metadata?.uid ?? ''),
  });
  const jobWatch = new Informer<Job>(jobs);
  let maxStatusActive = 0;
  jobWatch.addEventHandler({
    update: (_, j) => {
      if (j.metadata?.name === 'five') maxStatusActive = Math.max(maxStatusActive, j.status?.active ?? 0);
    },
  });
  watched.start();
  jobWatch.start();
  try {
    await jobs.create(newJob('five', { completions: 5, parallelism: 2 }));
    const job = await waitForCondition('five', 'Complete');
    assert.equal(job.status?.succeeded, 5);
    assert.equal(job.status?.failed ?? 0, 0);
    assert.ok(job.status?.completionTime);
    assert.ok(job.status?.startTime);
    assert.ok(condition(job, 'SuccessCriteriaMet'));
    assert.deepEqual(job.status?.uncountedTerminatedPods, {});
    assert.ok(maxActive <= 2, `saw ${maxActive} active pods`);
    assert.ok(maxActive >= 1);
    assert.ok(maxStatusActive <= 2, `status.active reached ${maxStatusActive}`);
    const created = await podsOf('five');
    assert.equal(created.length, 5);
    for (const p of created) {
      assert.equal(p.status?.phase, 'Succeeded');
      assert.ok(!p.metadata?.finalizers?.includes('batch.kubernetes.io/job-tracking'), 'finalizer removed');
      assert.equal(p.metadata?.labels?.['job-name'], 'five');
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'Job');
    }
    await waitFor(async () => (await eventReasons('five')).includes('Completed'));
    const reasons = await eventReasons('five');
    assert.ok(reasons.includes('SuccessfulCreate'));
  } finally {
    watched.stop();
    jobWatch.stop();
  }
});

test('counts survive pod deletion thanks to the tracking finalizer', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'keep' ? 'Succeeded' : 'Running'));
  await jobs.create(newJob('keep', { completions: 2, parallelism: 1 }));
  const first = await waitFor(async () =>
    (await podsOf('keep')).find((p) => p.status?.phase === 'Succeeded'),
  );
  await pods.delete('default', first.metadata?.name ?? '');
  const job = await waitForCondition('keep', 'Complete');
  assert.equal(job.status?.succeeded, 2);
});

test('failing pods are retried with backoff until backoffLimit: Failed/BackoffLimitExceeded', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'flaky' ? 'Failed' : 'Running'));
  await jobs.create(newJob('flaky', { backoffLimit: 2 }));
  await waitFor(async () => (await getJob('flaky')).status?.failed === 1);
  // The replacement waits 10 s of (fake) time.
  assert.equal((await podsOf('flaky')).length, 1);
  cluster.tick(10_000);
  await waitFor(async () => (await getJob('flaky')).status?.failed === 2);
  assert.equal((await podsOf('flaky')).length, 2);
  cluster.tick(10_000);
  // 20 s now: not yet.
  assert.equal((await getJob('flaky')).status?.failed, 2);
  cluster.tick(10_000);
  const job = await waitForCondition('flaky', 'Failed');
  assert.equal(job.status?.failed, 3);
  assert.equal(condition(job, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(condition(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.equal((await podsOf('flaky')).length, 3);
  await waitFor(async () => (await eventReasons('flaky')).includes('BackoffLimitExceeded'));
});

test('activeDeadlineSeconds fails the job and deletes its pods', async () => {
  kubelet.setOutcome(() => 'Running');
  await jobs.create(newJob('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
  await waitFor(async () => (await getJob('slow')).status?.ready === 2);
  cluster.tick(31_000);
  const job = await waitForCondition('slow', 'Failed');
  assert.equal(condition(job, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(job.status?.active, 0);
  await waitFor(async () => (await podsOf('slow')).length === 0, { message: 'pods deleted' });
  await waitFor(async () => (await eventReasons('slow')).includes('DeadlineExceeded'));
});

test('Indexed mode runs each index to success exactly once', async () => {
  let failedOnce = false;
  kubelet.setOutcome((p) => {
    if (p.metadata?.labels?.app !== 'indexed') return 'Running';
    const ix = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
    if (ix === '1' && !failedOnce) {
      failedOnce = true;
      return 'Failed';
    }
    return 'Succeeded';
  });
  await jobs.create(newJob('indexed', { completionMode: 'Indexed', completions: 4, parallelism: 2 }));
  await waitFor(async () => (await getJob('indexed')).status?.failed === 1);
  cluster.tick(10_000);
  const job = await waitForCondition('indexed', 'Complete');
  assert.equal(job.status?.completedIndexes, '0-3');
  assert.equal(job.status?.succeeded, 4);
  assert.equal(job.status?.failed, 1);
  const all = await podsOf('indexed');
  const succeededByIndex = new Map<string, number>();
  for (const p of all) {
    const ix = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?';
    assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], ix);
    assert.equal(p.spec?.hostname, `indexed-${ix}`);
    assert.ok(p.metadata?.name?.startsWith(`indexed-${ix}-`));
    const env = p.spec?.containers[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
    assert.equal(
      env?.valueFrom?.fieldRef?.fieldPath,
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    if (p.status?.phase === 'Succeeded') succeededByIndex.set(ix, (succeededByIndex.get(ix) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries([...succeededByIndex].sort()), { '0': 1, '1': 1, '2': 1, '3': 1 });
});

test('suspend deletes active pods, resume starts them again', async () => {
  kubelet.setOutcome(() => 'Running');
  await jobs.create(newJob('pausable', { suspend: true, parallelism: 2, completions: 2 }));
  let job = await waitForCondition('pausable', 'Suspended');
  assert.equal(condition(job, 'Suspended')?.reason, 'JobSuspended');
  assert.equal(job.status?.startTime, undefined);
  assert.equal((await podsOf('pausable')).length, 0);

  await jobs.patch('default', 'pausable', 'merge', { spec: { suspend: false } });
  await waitFor(async () => (await getJob('pausable')).status?.ready === 2);
  job = await getJob('pausable');
  assert.equal(job.status?.conditions?.find((c) => c.type === 'Suspended')?.status, 'False');
  assert.ok(job.status?.startTime);

  await jobs.patch('default', 'pausable', 'merge', { spec: { suspend: true } });
  await waitForCondition('pausable', 'Suspended');
  await waitFor(async () => (await podsOf('pausable')).length === 0, { message: 'pods deleted on suspend' });
  assert.equal((await getJob('pausable')).status?.active, 0);

  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'pausable' ? 'Succeeded' : 'Running'));
  await jobs.patch('default', 'pausable', 'merge', { spec: { suspend: false } });
  // Pods deleted by the suspension count as failures, so replacements wait out the backoff.
  cluster.tick(60_000);
  job = await waitForCondition('pausable', 'Complete');
  assert.equal(job.status?.succeeded, 2);
  const reasons = await eventReasons('pausable');
  assert.ok(reasons.includes('Suspended') && reasons.includes('Resumed'));
});

test('ttlSecondsAfterFinished deletes the finished job', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'shortlived' ? 'Succeeded' : 'Running'));
  await jobs.create(newJob('shortlived', { ttlSecondsAfterFinished: 60 }));
  await waitForCondition('shortlived', 'Complete');
  cluster.tick(30_000);
  assert.ok(await getJob('shortlived'));
  cluster.tick(31_000);
  await waitUntilGone(() => getJob('shortlived'), 'job deleted after its TTL');
});

test('podFailurePolicy: FailJob fails at once, Ignore does not count the failure', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'fatal' ? 'Failed' : 'Running'));
  await jobs.create(
    newJob('fatal', {
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] } }] },
    }),
  );
  const failedJob = await waitForCondition('fatal', 'Failed');
  const [pod] = await podsOf('fatal');
  assert.equal(condition(failedJob, 'Failed')?.reason, 'PodFailurePolicy');
  assert.equal(
    condition(failedJob, 'Failed')?.message,
    `Container main for pod default/${pod?.metadata?.name ?? ''} failed with exit code 1 matching FailJob rule at index 0`,
  );
  assert.equal(failedJob.status?.failed, 1);

  let first = true;
  kubelet.setOutcome((p) => {
    if (p.metadata?.labels?.app !== 'ignored') return 'Running';
    const fate = first ? 'Failed' : 'Succeeded';
    first = false;
    return fate;
  });
  await jobs.create(
    newJob('ignored', {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }] },
    }),
  );
  const job = await waitForCondition('ignored', 'Complete');
  assert.equal(job.status?.failed ?? 0, 0);
  assert.equal(job.status?.succeeded, 1);
  assert.equal((await podsOf('ignored')).length, 2);
});
