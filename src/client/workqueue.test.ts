import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { BucketRateLimiter, ItemExponentialRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

test('duplicates collapse and items come out in order', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('an item re-added while processing is not handed out twice, and comes back after done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const first = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'held back while a worker has it');
  let second: string | undefined;
  void q.get().then((v) => (second = v));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined);
  q.done(first!);
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'a');
});

test('a waiting get receives an item added later; shutDown releases waiters', async () => {
  const q = new WorkQueue<string>();
  const waiting = q.get();
  q.add('x');
  assert.equal(await waiting, 'x');
  const blocked = q.get();
  q.shutDown();
  assert.equal(await blocked, undefined);
  q.add('y');
  assert.equal(q.length, 0, 'adds after shutdown are dropped');
});

test('addAfter delays, and the sooner of two requests wins', async () => {
  const q = new WorkQueue<string>();
  const keepAlive = setTimeout(() => {}, 1000);
  q.addAfter('a', 200);
  q.addAfter('a', 10);
  const started = Date.now();
  assert.equal(await q.get(), 'a');
  assert.ok(Date.now() - started < 190);
  clearTimeout(keepAlive);
});

test('per-item exponential backoff doubles from the base and resets on forget', () => {
  const l = new ItemExponentialRateLimiter<string>(5, 1000);
  assert.deepEqual([l.whenMs('a'), l.whenMs('a'), l.whenMs('a'), l.whenMs('b')], [5, 10, 20, 5]);
  assert.equal(l.numRequeues('a'), 3);
  for (let i = 0; i < 20; i++) l.whenMs('a');
  assert.equal(l.whenMs('a'), 1000, 'capped');
  l.forget('a');
  assert.equal(l.whenMs('a'), 5);
});

test('the token bucket allows the burst, then spaces items at the rate', () => {
  const clock = new FakeClock();
  const l = new BucketRateLimiter<string>(10, 3, clock);
  assert.deepEqual([l.whenMs(), l.whenMs(), l.whenMs()], [0, 0, 0]);
  assert.equal(l.whenMs(), 100);
  assert.equal(l.whenMs(), 200);
  clock.advance(1000);
  assert.equal(l.whenMs(), 0);
});
