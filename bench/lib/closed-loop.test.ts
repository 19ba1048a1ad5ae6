import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachLimit, runClosedLoop } from './closed-loop.js';

describe('runClosedLoop', () => {
  test('stops at maxOps and spreads the work over the clients', async () => {
    const perClient = new Map<number, number>();
    const r = await runClosedLoop(4, { durationMs: 60_000, maxOps: 100 }, async (c) => {
      await new Promise((resolve) => setImmediate(resolve));
      perClient.set(c, (perClient.get(c) ?? 0) + 1);
    });
    assert.equal(r.ops, 100);
    assert.equal(r.errors, 0);
    assert.equal(r.latency.count, 100);
    assert.equal(perClient.size, 4);
    assert.ok(r.opsPerSecond > 0);
  });

  test('counts failures apart and keeps the first message', async () => {
    const r = await runClosedLoop(1, { durationMs: 60_000, maxOps: 10 }, (_c, seq) =>
      seq % 2 ? Promise.reject(new Error(`bad ${seq}`)) : Promise.resolve(),
    );
    assert.equal(r.ops, 5);
    assert.equal(r.errors, 5);
    assert.equal(r.firstError, 'bad 1');
  });
});

describe('forEachLimit', () => {
  test('visits every index once with bounded concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimit(20, 3, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(i);
      inFlight--;
    });
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(most, 3);
  });
});
