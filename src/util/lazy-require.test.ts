import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { lazyRequire } from './lazy-require.js';

test('lazyRequire loads the package on the first call only and returns the same module each time', () => {
  const id = createRequire(import.meta.url).resolve('yaml');
  const cache = createRequire(import.meta.url).cache;
  const load = lazyRequire<{ stringify(v: unknown): string }>('yaml');
  const first = load();
  assert.ok(cache[id], 'loaded after the first call');
  assert.equal(load(), first);
  assert.equal(first.stringify({ a: 1 }), 'a: 1\n');
});
