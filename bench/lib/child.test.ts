import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launcherEnv, launcherNodeFlags } from './child.js';

test("the benchmarks start Node as bin/tugboat.js's sh line does", () => {
  assert.deepEqual(launcherNodeFlags(), ['--no-short-builtin-calls']);
  assert.equal(launcherEnv({}).MALLOC_ARENA_MAX, process.env.MALLOC_ARENA_MAX || '2');
});
