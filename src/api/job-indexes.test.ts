import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIndexesFormat, completionIndexOf, formatIndexes, parseIndexes } from './job-indexes.js';

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

test('index lists are checked as upstream validates them', () => {
  assert.deepEqual(checkIndexesFormat('', 5), { total: 0 });
  assert.deepEqual(checkIndexesFormat('0,2-4', 5), { total: 4 });
  assert.deepEqual(checkIndexesFormat('5', 5), { error: 'too large index: "5"' });
  assert.deepEqual(checkIndexesFormat('3-1', 5), { error: 'non-increasing order, previous: 3, current: 1' });
  assert.deepEqual(checkIndexesFormat('2,1', 5), { error: 'non-increasing order, previous: 2, current: 1' });
  assert.deepEqual(checkIndexesFormat('a', 5), { error: 'cannot convert string to integer for index: "a"' });
  assert.match((checkIndexesFormat('1-2-3', 5) as { error: string }).error, /at most two parts/);
});
