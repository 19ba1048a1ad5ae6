import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullGc } from './full-gc.js';

void test('fullGc collects garbage without the process being started with --expose-gc', () => {
  let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `item ${i}` }));
  const before = process.memoryUsage().heapUsed;
  assert.equal(garbage.length, 200_000);
  garbage = undefined;
  fullGc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(after < before - 5 * 1024 * 1024, `heap used ${before} → ${after}: the array should be gone`);
});
