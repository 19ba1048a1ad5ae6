import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowStartBatch } from './slow-start.js';

test('runs batches of 1, 2, 4, ... up to the count', async () => {
  let calls = 0;
  const r = await slowStartBatch(10, 1, () => {
    calls++;
    return Promise.resolve();
  });
  assert.deepEqual(r, { successes: 10 });
  assert.equal(calls, 10);
});

test('stops after the first failing batch', async () => {
  let calls = 0;
  const r = await slowStartBatch(10, 1, () => {
    calls++;
    return calls >= 2 ? Promise.reject(new Error('quota')) : Promise.resolve();
  });
  // Batch 1 succeeds, batch 2 (two calls) fails: nothing after it is attempted.
  assert.equal(calls, 3);
  assert.equal(r.successes, 1);
  assert.match(String(r.error), /quota/);
});
