import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Informer } from './informer.js';
import { ScopedInformer } from './informer-factory.js';

// Internals of Informer that only its own public methods call: a ScopedInformer overrides those callers.
const INTERNAL = new Set([
  'constructor',
  'listAndWatch',
  'relist',
  'watch',
  'onWatchEvent',
  'onWatchEnd',
  'retryLater',
  'upsert',
  'remove',
  'resync',
  'indexAdd',
  'unindex',
  'call',
]);

test('a ScopedInformer overrides every public member of Informer (none reads its own empty cache)', () => {
  const missing = Object.getOwnPropertyNames(Informer.prototype).filter(
    (name) => !INTERNAL.has(name) && !Object.prototype.hasOwnProperty.call(ScopedInformer.prototype, name),
  );
  assert.deepEqual(missing, []);
});
