import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from './wait.js';

test('sleep ends early when its signal aborts, and at once when already aborted', async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 20);
  await sleep(10_000, controller.signal);
  assert.ok(Date.now() - started < 5_000);
  const t0 = Date.now();
  await sleep(10_000, controller.signal);
  assert.ok(Date.now() - t0 < 5_000);
});
