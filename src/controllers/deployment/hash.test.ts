import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.js';

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image }] },
});

test('FNV-32a matches the reference vectors', () => {
  const enc = new TextEncoder();
  assert.equal(fnv32a(enc.encode('')), 0x811c9dc5);
  assert.equal(fnv32a(enc.encode('a')), 0xe40c292c);
  assert.equal(fnv32a(enc.encode('foobar')), 0xbf9cf968);
});

test('safe encoding maps each character into the vowel-free alphabet', () => {
  // Digits land on 4-9 and b-f, which is why real hashes look like `5d4c9fb8d`.
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('the hash is stable, ignores key order and changes with the template and collision count', () => {
  const a = computeHash(template('nginx'));
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash({ spec: template('nginx').spec, metadata: { labels: { app: 'web' } } }), a);
  assert.notEqual(computeHash(template('nginx:1.27')), a);
  assert.notEqual(computeHash(template('nginx'), 1), a);
  assert.notEqual(computeHash(template('nginx'), 1), computeHash(template('nginx'), 2));
});

test('equalIgnoreHash ignores only the pod-template-hash label and empty values', () => {
  const withHash = template('nginx');
  withHash.metadata!.labels!['pod-template-hash'] = 'abc';
  withHash.metadata!.annotations = {};
  assert.ok(equalIgnoreHash(template('nginx'), withHash));
  assert.ok(!equalIgnoreHash(template('nginx'), template('nginx:1.27')));
});
