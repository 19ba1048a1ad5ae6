import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, nextBackoffRecord, remainingBackoffMs } from './backoff.js';

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
