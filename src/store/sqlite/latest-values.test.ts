import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestValues } from './latest-values.js';

const kv = (key: string, bytes: number, rev = 1) => ({
  key,
  value: Buffer.alloc(bytes),
  createRevision: 1,
  modRevision: rev,
});

void test('keeps the most recently used values within its byte budget', () => {
  // Each entry below counts 300 bytes (value, key, overhead): eight fit.
  const cache = new LatestValues(2400);
  for (let i = 0; i < 8; i++) cache.set(kv(`/${i}`, 200));
  assert.equal(cache.size, 8);
  assert.ok(cache.get('/0'), '/0 is now the most recently used');
  cache.set(kv('/8', 200));
  assert.equal(cache.get('/1'), undefined, '/1 was the least recently used');
  assert.ok(cache.get('/0') && cache.get('/2') && cache.get('/8'));
  assert.equal(cache.byteSize, 2400);
  cache.set(kv('/0', 100, 2));
  assert.equal(cache.get('/0')?.modRevision, 2, 'a newer value replaces the old one');
  assert.equal(cache.byteSize, 2300);
  cache.delete('/0');
  assert.equal(cache.get('/0'), undefined);
  cache.set(kv('/huge', 400));
  assert.equal(cache.get('/huge'), undefined, 'a value over an eighth of the budget is not kept');
  assert.equal(cache.size, 7);
  for (const k of ['/2', '/3', '/4', '/5', '/6', '/7', '/8']) cache.delete(k);
  assert.equal(cache.byteSize, 0);
});

void test('a read gives an entry one more pass, and the value just written is kept', () => {
  const cache = new LatestValues(2400); // eight entries of 300 bytes
  for (let i = 0; i < 8; i++) cache.set(kv(`/${i}`, 200));
  assert.ok(cache.get('/0'));
  cache.set(kv('/8', 200));
  assert.equal(cache.get('/1'), undefined, '/0 was read, so /1 (the oldest unread) went');
  // Reading everything marks every entry: the next pass unmarks and moves each in turn, passes over /9 (just
  // written), and takes the first it meets again unmarked, /2, the oldest.
  for (const k of ['/0', '/2', '/3', '/4', '/5', '/6', '/7', '/8']) assert.ok(cache.get(k), k);
  cache.set(kv('/9', 200));
  assert.equal(cache.size, 8);
  assert.equal(cache.get('/2'), undefined);
  assert.ok(cache.get('/9') && cache.get('/0') && cache.get('/3'));
});
