import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, GoFloat } from './jsonpath.js';

const obj = {
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web', tier: 'front' } },
  spec: {
    replicas: 3,
    ratio: 0.5,
    paused: false,
    empty: null,
    items: [
      { name: 'a', port: 80 },
      { name: 'b', port: 443 },
      { name: 'c', port: 8080 },
    ],
    none: [],
  },
  status: {
    conditions: [
      { type: 'Available', status: 'False' },
      { type: 'Ready', status: 'True', reason: 'Up' },
    ],
  },
};

const find = (path: string, data: unknown = obj): unknown[] => compileJsonPath(`{${path}}`).find(data)[0]!;

void test('fields, missing keys and null values', () => {
  assert.deepEqual(find('.spec.replicas'), [3]);
  assert.deepEqual(find('.spec.paused'), [false]);
  assert.deepEqual(find('.spec.missing.deeper'), []);
  assert.deepEqual(find('.spec.empty'), [null]);
  assert.deepEqual(find('.spec.empty.x'), []);
  // A field of a list is nothing, not an error.
  assert.deepEqual(find('.spec.items.name'), []);
  assert.deepEqual(find('$.spec.replicas'), [3]);
});

void test('indexes, slices and wildcards', () => {
  assert.deepEqual(find('.spec.items[0].name'), ['a']);
  assert.deepEqual(find('.spec.items[-1].name'), ['c']);
  assert.deepEqual(find('.spec.items[*].name'), ['a', 'b', 'c']);
  assert.deepEqual(find('.spec.items[1:].port'), [443, 8080]);
  assert.deepEqual(find('.spec.items[0:3:2].name'), ['a', 'c']);
  assert.deepEqual(find('.spec.items[].name'), ['a'], '[] is [0], as upstream');
  assert.deepEqual(find('.spec.none[*]'), []);
  assert.deepEqual(find('.spec.items[0].*'), ['a', 80]);
  assert.throws(() => find('.spec.items[5]'), /array index out of bounds: index 5, length 3/);
  assert.throws(() => find('.spec.none[0]'), /out of bounds/);
  assert.throws(() => find('.spec.replicas[0]'), /int64 is not array or slice/);
});

void test('quoted keys, escaped dots and unions', () => {
  assert.deepEqual(find(".metadata.labels['tier']"), ['front']);
  assert.deepEqual(find('.metadata.labels.app\\.kubernetes\\.io/name'), ['web']);
  // Upstream parses a quoted key as a field chain, so a dotted key inside quotes is not found.
  assert.deepEqual(find(".metadata.labels['app.kubernetes.io/name']"), []);
  assert.deepEqual(find('.spec.items[0,2].name'), ['a', 'c']);
  assert.deepEqual(find("['metadata','spec'].replicas"), [3]);
});

void test('filters', () => {
  assert.deepEqual(find('.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(find(".status.conditions[?(@.type=='Ready')].reason"), ['Up']);
  assert.deepEqual(find('.status.conditions[?(@.type!="Ready")].type'), ['Available']);
  assert.deepEqual(find('.spec.items[?(@.port>100)].name'), ['b', 'c']);
  assert.deepEqual(find('.spec.items[?(@.port<=443)].name'), ['a', 'b']);
  assert.deepEqual(find('.status.conditions[?(@.reason)].type'), ['Ready']);
  assert.deepEqual(find('.status.missing[?(@.type=="Ready")].status'), []);
  // Items without the compared field are skipped.
  assert.deepEqual(find('.status.conditions[?(@.reason=="Up")].type'), ['Ready']);
  // Upstream compares only like kinds: an int field against a string is an error.
  assert.throws(() => find('.spec.items[?(@.port=="80")].name'), /incompatible types for comparison/);
  assert.throws(() => find('.spec.items[?(@.port==80.0)].name'), /incompatible types/);
  assert.throws(() => find('.spec[?(@.x=="y")]'), /cannot be filtered/);
  assert.deepEqual(find('.spec.items[?(@.port==80)].name'), ['a']);
  assert.deepEqual(
    compileJsonPath('{.a[?(@.on==true)].n}').find({
      a: [
        { on: true, n: 1 },
        { on: false, n: 2 },
      ],
    })[0],
    [1],
  );
});

void test('recursive descent', () => {
  assert.deepEqual(find('..port'), [80, 443, 8080]);
  assert.deepEqual(find('.status..status'), ['False', 'True']);
  assert.deepEqual(find('..name').slice(0, 1), ['web']);
});

void test('literals and text outside the braces', () => {
  const path = compileJsonPath('{.spec.replicas} replicas{"!"}');
  assert.deepEqual(path.find(obj), [[3], [' replicas'], ['!']]);
  assert.deepEqual(compileJsonPath('{.a[?(@.f>1.5)].f}').find({ a: [{ f: 1.25 }, { f: 2.5 }] })[0], [2.5]);
  assert.ok(compileJsonPath('{1.5}').find({})[0]![0] instanceof GoFloat);
});

void test('syntax errors, as upstream refuses them', () => {
  for (const bad of [
    '{.a',
    '{.a[0}',
    '{.a[x]}',
    '{.a["x"]}',
    '{.a[?(@.x=="y")}',
    '{#a}',
    '{.a....b}',
    '{"unterminated}',
    '{.a[1:x]}',
  ]) {
    assert.throws(() => compileJsonPath(bad), Error, bad);
  }
  // Unknown identifiers and operators parse, and fail when evaluated.
  assert.throws(() => compileJsonPath('{range .items}').find(obj), /unrecognized identifier range/);
  assert.throws(
    () => compileJsonPath('{.spec.items[?(@.port=<80)]}').find(obj),
    /unrecognized filter operator =</,
  );
});
