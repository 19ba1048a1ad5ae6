import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepEqual } from './meta.js';

test('deepEqual compares JSON-like values by value, key order aside', () => {
  assert.ok(deepEqual({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] }));
  assert.ok(!deepEqual({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!deepEqual({ a: 1, b: 2 }, { a: 1 }));
  assert.ok(!deepEqual({ a: 1, b: 2 }, { a: 1, c: 2 }));
  assert.ok(!deepEqual([1, 2], [2, 1]));
  assert.ok(!deepEqual([], {}));
  assert.ok(!deepEqual({}, []));
  assert.ok(!deepEqual(null, {}));
  assert.ok(!deepEqual('1', 1));
});

test('deepEqual: undefined members are absent, and null equals undefined only as a value', () => {
  assert.ok(deepEqual({ a: 1, b: undefined }, { a: 1 }));
  assert.ok(deepEqual({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(deepEqual(undefined, null));
  assert.ok(deepEqual([null], [undefined]));
  assert.ok(!deepEqual({ a: null }, {}), 'a member set to null is a member');
  assert.ok(!deepEqual({ a: undefined }, { a: null }));
});
