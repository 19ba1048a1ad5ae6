import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJsonTree, treeOfValue } from './json-tree.js';

void describe('parseJsonTree', () => {
  void test('has the same structure as JSON.parse for valid documents', () => {
    const docs = [
      '{}',
      '[]',
      '"s"',
      '-1.5e+3',
      ' { "a" : [ 1 , true , false , null , { "b" : "c\\n\\"" } ] , "d" : { } } ',
      '{"\\u00e9":{"x":[[],[{}]]}}',
    ];
    for (const text of docs) assert.deepEqual(parseJsonTree(text), treeOfValue(JSON.parse(text)), text);
  });

  void test('keeps duplicate keys in document order', () => {
    const tree = parseJsonTree('{"a":1,"b":2,"a":{"c":3}}');
    assert.equal(tree.t, 'object');
    const keys = tree.t === 'object' ? tree.entries.map(([k]) => k) : [];
    assert.deepEqual(keys, ['a', 'b', 'a']);
  });

  void test('rejects malformed input', () => {
    for (const bad of ['', '{', '{"a"}', '{"a":1,}', '[1 2]', '{"a":tru}', '"x', '{} x', '{a:1}']) {
      assert.throws(() => parseJsonTree(bad), SyntaxError, bad);
    }
  });
});
