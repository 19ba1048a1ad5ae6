import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonEqual } from './meta.js';

test('jsonEqual compares parsed JSON by value, key order aside', () => {
  assert.ok(jsonEqual({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!jsonEqual({ a: 1, b: 2 }, { a: 1 }));
  assert.ok(!jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 }));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual([], {}));
  assert.ok(!jsonEqual({}, []));
  assert.ok(!jsonEqual(null, {}));
  assert.ok(!jsonEqual('1', 1));
  assert.ok(jsonEqual(undefined, undefined));
  assert.ok(!jsonEqual(undefined, null));
  assert.ok(jsonEqual({ a: 1, b: undefined }, { a: 1 }), 'an undefined member is no member');
  assert.ok(jsonEqual({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!jsonEqual({ a: undefined }, { a: null }));
});
