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

const INDEX = 'batch.kubernetes.io/job-completion-index';
const TRACKING = 'batch.kubernetes.io/job-tracking';
const indexOf = (p: Pod): string | undefined => p.metadata?.annotations?.[INDEX];

test('backoffLimitPerIndex: an index out of retries fails alone, after the others ran to success', async () => {
  kubelet.setOutcome((p) => {
    if (p.metadata?.labels?.app !== 'per-index') return 'Running';
    return indexOf(p) === '0' ? 'Failed' : 'Succeeded';
  });
  const created = await jobs.create(
    newJob('per-index', {
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 2,
      backoffLimitPerIndex: 1,
    }),
  );
  assert.equal(created.spec?.backoffLimit, 2147483647);
  // Index 0 waits out its own 10 s backoff; the other indexes do not wait for it.
  await waitFor(async () => (await getJob('per-index')).status?.completedIndexes === '1-3');
  const firstTry = (await podsOf('per-index')).filter((p) => indexOf(p) === '0');
  assert.equal(firstTry.length, 1);
  assert.equal(firstTry[0]?.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
  assert.ok(firstTry[0]?.metadata?.finalizers?.includes(TRACKING), 'kept until its replacement exists');
  let job = await getJob('per-index');
  assert.equal(job.status?.failed ?? 0, 0);
  assert.equal(job.status?.failedIndexes, '');
  assert.equal(condition(job, 'Failed'), undefined);

  cluster.tick(10_000);
  job = await waitForCondition('per-index', 'Failed');
  assert.equal(condition(job, 'Failed')?.reason, 'FailedIndexes');
  assert.equal(condition(job, 'Failed')?.message, 'Job has failed indexes');
  assert.equal(condition(job, 'FailureTarget')?.reason, 'FailedIndexes');
  assert.equal(job.status?.failedIndexes, '0');
  assert.equal(job.status?.completedIndexes, '1-3');
  assert.equal(job.status?.succeeded, 3);
  assert.equal(job.status?.failed, 2);
  const tries = (await podsOf('per-index')).filter((p) => indexOf(p) === '0');
  assert.deepEqual(
    tries.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count']).sort(),
    ['0', '1'],
  );
  for (const p of tries) assert.ok(!p.metadata?.finalizers?.includes(TRACKING));
});

test('maxFailedIndexes: one failed index too many fails the Job at once', async () => {
  kubelet.setOutcome((p) => (p.metadata?.labels?.app === 'max-failed' ? 'Failed' : 'Running'));
  await jobs.create(
    newJob('max-failed', {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 1,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
    }),
  );
  const job = await waitForCondition('max-failed', 'Failed');
  assert.equal(condition(job, 'Failed')?.reason, 'MaxFailedIndexesExceeded');
  assert.equal(
    condition(job, 'Failed')?.message,
    'Job has exceeded the specified maximal number of failed indexes',
  );
  assert.equal(job.status?.failedIndexes, '0');
  assert.equal(job.status?.failed, 1);
  assert.equal((await podsOf('max-failed')).length, 1);
});

test('podFailurePolicy FailIndex fails the index without using its retries', async () => {
  kubelet.setOutcome((p) => {
    if (p.metadata?.labels?.app !== 'fail-index') return 'Running';
    return indexOf(p) === '1' ? { exitCode: 42 } : 'Succeeded';
  });
  await jobs.create(
    newJob('fail-index', {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 3,
      podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
    }),
  );
  const job = await waitForCondition('fail-index', 'Failed');
  assert.equal(condition(job, 'Failed')?.reason, 'FailedIndexes');
  assert.equal(job.status?.failedIndexes, '1');
  assert.equal(job.status?.completedIndexes, '0,2');
  assert.equal((await podsOf('fail-index')).filter((p) => indexOf(p) === '1').length, 1);
});

test('successPolicy: the Job completes once its rule is met, and the pods still running go', async () => {
  kubelet.setOutcome((p) => {
    if (p.metadata?.labels?.app !== 'leader') return 'Running';
    return indexOf(p) === '0' ? 'Succeeded' : 'Running';
  });
  await jobs.create(
    newJob('leader', {
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      successPolicy: { rules: [{ succeededIndexes: '0' }] },
    }),
  );
  const job = await waitForCondition('leader', 'Complete');
  assert.equal(condition(job, 'SuccessCriteriaMet')?.reason, 'SuccessPolicy');
  assert.equal(condition(job, 'SuccessCriteriaMet')?.message, 'Matched rules at index 0');
  assert.equal(condition(job, 'Complete')?.reason, 'SuccessPolicy');
  assert.equal(condition(job, 'Complete')?.message, 'Matched rules at index 0');
  assert.equal(job.status?.completedIndexes, '0');
  assert.equal(job.status?.succeeded, 1);
  assert.equal(job.status?.failed ?? 0, 0);
  assert.equal(job.status?.active, 0);
  await waitFor(async () => (await podsOf('leader')).every((p) => p.status?.phase === 'Succeeded'), {
    message: 'running pods deleted',
  });
});

test('a Job adopts the orphan pods its selector matches and releases the ones that stop matching', async () => {
  kubelet.setOutcome(() => 'Running');
  const orphan = await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stray', namespace: 'default', labels: { app: 'adopter' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
  });
  await waitFor(async () => (await pods.get('default', 'stray')).status?.phase === 'Running');
  const job = newJob('adopter', {
    manualSelector: true,
    selector: { matchLabels: { app: 'adopter' } },
    completions: 1,
    parallelism: 1,
  });
  const created = await jobs.create(job);
  const adopted = await waitFor(async () => {
    const p = await pods.get('default', 'stray');
    return p.metadata?.ownerReferences?.[0]?.uid === created.metadata?.uid ? p : undefined;
  });
  assert.equal(adopted.metadata?.uid, orphan.metadata?.uid);
  assert.equal(adopted.metadata?.ownerReferences?.[0]?.controller, true);
  assert.ok(adopted.metadata?.finalizers?.includes(TRACKING));
  await waitFor(async () => (await getJob('adopter')).status?.active === 1);
  const list = async (): Promise<Pod[]> =>
    (await pods.list('default', { labelSelector: 'app=adopter' })).items;
  assert.equal((await list()).length, 1, 'the adopted pod counts: no new pod');

  // Relabelled out of the selector: released (reference and finalizer gone) and replaced.
  await pods.patch('default', 'stray', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
  const released = await waitFor(async () => {
    const p = await pods.get('default', 'stray');
    return p.metadata?.ownerReferences?.length ? undefined : p;
  });
  assert.ok(!released.metadata?.finalizers?.includes(TRACKING));
  const [replacement] = await waitFor(async () => {
    const items = await list();
    return items.length === 1 ? items : undefined;
  });
  assert.notEqual(replacement?.metadata?.uid, orphan.metadata?.uid);
  await kubelet.finish(replacement!, 'Succeeded');
  const done = await waitForCondition('adopter', 'Complete');
  assert.equal(done.status?.succeeded, 1);
  await pods.delete('default', 'stray', { gracePeriodSeconds: 0 });
});
