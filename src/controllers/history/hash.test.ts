import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, fnv32a, hashRevisionData, safeEncode } from './hash.js';

test('fnv32a matches the published FNV-1a test vectors', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test('safeEncode only uses the safe alphabet', () => {
  assert.match(safeEncode('0123456789'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

test('canonicalJson ignores key order', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } }),
    canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }),
  );
});

test('hashRevisionData is stable, sensitive to data and to collisionCount', () => {
  const data = { spec: { template: { metadata: { labels: { app: 'x' } }, $patch: 'replace' } } };
  const h = hashRevisionData(data);
  assert.equal(h, hashRevisionData(structuredClone(data)));
  assert.notEqual(h, hashRevisionData({ spec: { template: { metadata: { labels: { app: 'y' } } } } }));
  assert.notEqual(h, hashRevisionData(data, 1));
  assert.notEqual(hashRevisionData(data, 1), hashRevisionData(data, 2));
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
});
