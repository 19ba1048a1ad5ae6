import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  isIndexFailed,
  matchSuccessPolicy,
  remainingIndexBackoffMs,
  replacementAnnotations,
} from './per-index.js';

const job = (spec: Partial<NonNullable<Job['spec']>> = {}): Job => ({
  spec: { completionMode: 'Indexed', completions: 5, backoffLimitPerIndex: 2, template: {}, ...spec },
});
const failedPod = (
  annotations: Record<string, string>,
  exitCode = 1,
  finishedAt = '2026-01-01T00:00:00Z',
): Pod => ({
  metadata: { annotations },
  status: {
    phase: 'Failed',
    containerStatuses: [
      {
        name: 'main',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode, finishedAt } },
      },
    ],
  },
});

test('success rules: all listed indexes, a count among them, or a count overall', () => {
  const policy = {
    rules: [
      { succeededIndexes: '0-2' },
      { succeededIndexes: '3-4', succeededCount: 1 },
      { succeededCount: 4 },
    ],
  };
  assert.equal(matchSuccessPolicy(policy, 5, new Set()), undefined);
  assert.equal(matchSuccessPolicy(policy, 5, new Set([0, 1])), undefined);
  assert.equal(matchSuccessPolicy(policy, 5, new Set([0, 1, 2])), 'Matched rules at index 0');
  assert.equal(matchSuccessPolicy(policy, 5, new Set([4])), 'Matched rules at index 1');
  assert.equal(
    matchSuccessPolicy({ rules: [{ succeededCount: 2 }] }, 5, new Set([0, 2])),
    'Matched rules at index 0',
  );
  assert.equal(matchSuccessPolicy(undefined, 5, new Set([0])), undefined);
});

test('an index fails when its failures reach the limit, or at once on a FailIndex rule', () => {
  const j = job();
  assert.equal(
    isIndexFailed(j, failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1' }), true),
    false,
  );
  assert.equal(
    isIndexFailed(j, failedPod({ 'batch.kubernetes.io/job-index-failure-count': '2' }), true),
    true,
  );
  assert.equal(
    isIndexFailed(j, failedPod({ 'batch.kubernetes.io/job-index-failure-count': 'x' }), true),
    false,
  );
  const failIndex = job({
    podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
  });
  assert.equal(isIndexFailed(failIndex, failedPod({}, 42), true), true);
  assert.equal(isIndexFailed(failIndex, failedPod({}, 1), true), false);
  const ignore = job({
    podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }] },
  });
  assert.equal(
    isIndexFailed(ignore, failedPod({ 'batch.kubernetes.io/job-index-failure-count': '5' }), true),
    false,
  );
});

test('a replacement carries the failures so far; ignored ones apart; its backoff doubles with them', () => {
  const j = job();
  assert.deepEqual(replacementAnnotations(j, undefined), {
    'batch.kubernetes.io/job-index-failure-count': '0',
  });
  const second = failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1' });
  assert.deepEqual(replacementAnnotations(j, second), { 'batch.kubernetes.io/job-index-failure-count': '2' });
  const ignore = job({
    podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }] },
  });
  assert.deepEqual(replacementAnnotations(ignore, second), {
    'batch.kubernetes.io/job-index-failure-count': '1',
    'batch.kubernetes.io/job-index-ignored-failure-count': '1',
  });
  const at = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(remainingIndexBackoffMs(undefined, at), 0);
  assert.equal(remainingIndexBackoffMs(failedPod({}), at + 4000), 6000);
  assert.equal(remainingIndexBackoffMs(second, at + 4000), 16_000);
  assert.equal(remainingIndexBackoffMs(second, at + 25_000), 0);
});
