import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionIndexOf, formatIndexes, parseIndexes } from './indexes.js';
import { backoffDelayMs, nextBackoffRecord, remainingBackoffMs } from './backoff.js';

test('completedIndexes compresses runs', () => {
  assert.equal(formatIndexes([]), '');
  assert.equal(formatIndexes([4, 0, 1, 2]), '0-2,4');
  assert.equal(formatIndexes([1, 3, 5, 6]), '1,3,5-6');
  assert.equal(formatIndexes([7, 8, 9, 9]), '7-9');
});

test('completedIndexes parses back, dropping out-of-range indexes', () => {
  assert.deepEqual([...parseIndexes('0-2,4,7-9', 8)].sort(), [0, 1, 2, 4, 7]);
  assert.deepEqual([...parseIndexes('', 3)], []);
  assert.deepEqual([...parseIndexes('x,1', 3)], [1]);
});

test('completion index annotation', () => {
  assert.equal(
    completionIndexOf({ metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': '3' } } }),
    3,
  );
  assert.equal(
    completionIndexOf({ metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': 'a' } } }),
    undefined,
  );
  assert.equal(completionIndexOf({}), undefined);
});

test('pod failure backoff: 10 s doubling, capped at 6 min, reset by a success', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 6, 7, 40].map(backoffDelayMs),
    [0, 10_000, 20_000, 40_000, 320_000, 360_000, 360_000],
  );
  const r1 = nextBackoffRecord(undefined, 0, 1, 1000);
  assert.equal(remainingBackoffMs(r1, 1000), 10_000);
  assert.equal(remainingBackoffMs(r1, 11_000), 0);
  const r2 = nextBackoffRecord(r1, 0, 1, 2000);
  assert.equal(remainingBackoffMs(r2, 2000), 20_000);
  assert.equal(remainingBackoffMs(nextBackoffRecord(r2, 1, 0, 3000), 3000), 0);
});
