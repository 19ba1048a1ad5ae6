import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, joinQuote, pluralize, sortedUnique } from './format.js';

test('joinQuote quotes without escaping', () => {
  assert.equal(joinQuote([]), '');
  assert.equal(joinQuote(['a']), '"a"');
  assert.equal(joinQuote(['a', 'b"c']), '"a", "b"c"');
});

test('pluralize', () => {
  assert.equal(pluralize('volume', 'volumes', 1), 'volume');
  assert.equal(pluralize('volume', 'volumes', 0), 'volumes');
  assert.equal(pluralize('volume', 'volumes', 2), 'volumes');
});

test('sortedUnique sorts by code unit, as upstream sorts strings', () => {
  assert.deepEqual(sortedUnique(['b', 'a', 'B', 'b', '10', '9']), ['10', '9', 'B', 'a', 'b']);
});

test('goQuote escapes as Go %q', () => {
  for (const [input, expected] of [
    ['unconfined', '"unconfined"'],
    ['', '""'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\tnew\nline', '"tab\\tnew\\nline"'],
    ['\u0001\u007f', '"\\x01\\x7f"'],
    ['é ü 日本', '"é ü 日本"'],
    ['\u00ad\u2028', '"\\u00ad\\u2028"'],
  ]) {
    assert.equal(goQuote(input!), expected, JSON.stringify(input));
  }
});
