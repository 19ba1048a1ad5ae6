import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, PodFailurePolicy } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { podForJob } from './pod-template.js';

const failedPod = (exitCode: number, conditions: { type: string; status: string }[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: [
      {
        name: 'main',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode } },
      },
    ],
  },
});

const policy: PodFailurePolicy = {
  rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [42] } },
  ],
};

test('the first matching rule decides', () => {
  assert.deepEqual(
    matchPodFailurePolicy(policy, failedPod(42, [{ type: 'DisruptionTarget', status: 'True' }])),
    {
      action: 'Ignore',
    },
  );
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(42)), {
    action: 'FailJob',
    message: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
  });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(3)), { action: 'Count' });
});

test('exit code 0 never matches; no match counts the failure', () => {
  assert.deepEqual(
    matchPodFailurePolicy(
      { rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] },
      failedPod(0),
    ),
    {
      action: undefined,
    },
  );
});

test('pods from the template carry the owner, the tracking finalizer and, when indexed, the index', () => {
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'work', namespace: 'ns', uid: 'u1' },
    spec: {
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
    },
  };
  const plain = podForJob(job);
  assert.equal(plain.metadata?.generateName, 'work-');
  assert.deepEqual(plain.metadata?.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.equal(plain.metadata?.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(plain.spec?.hostname, undefined);
  const indexed = podForJob(job, 3);
  assert.equal(indexed.metadata?.generateName, 'work-3-');
  assert.equal(indexed.spec?.hostname, 'work-3');
  assert.equal(indexed.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(indexed.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(indexed.spec?.containers[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
  assert.equal(job.spec?.template.spec?.containers[0]?.env, undefined, 'template untouched');
});
