import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DueQueue } from './due-queue.js';

void test('due work runs once, in deadline order; replaced and cancelled deadlines do not run', async () => {
  const q = new DueQueue(() => Date.now());
  const ran: string[] = [];
  const start = Date.now();
  // Shuffled deadlines 2..80 ms out.
  const offsets = Array.from({ length: 40 }, (_, i) => 2 + ((i * 37) % 40) * 2);
  offsets.forEach((ms, i) => q.schedule(`k${i}`, start + ms, () => ran.push(`k${i}@${ms}`)));
  // k0 moves later, k1 earlier; k2 is cancelled; k3 is replaced and then cancelled.
  q.schedule('k0', start + 90, () => ran.push('k0@90'));
  q.schedule('k1', start + 1, () => ran.push('k1@1'));
  q.cancel('k2');
  q.schedule('k3', start + 5, () => ran.push('k3@5'));
  q.cancel('k3');
  assert.equal(q.has('k2'), false);
  assert.equal(q.has('k4'), true);
  await sleep(150);
  const at = (s: string): number => Number(s.split('@')[1]);
  assert.equal(ran.length, 38, ran.join(' '));
  assert.deepEqual(
    ran.map(at),
    ran.map(at).sort((a, b) => a - b),
  );
  assert.equal(ran[0], 'k1@1');
  assert.equal(ran.at(-1), 'k0@90');
  assert.equal(new Set(ran.map((r) => r.split('@')[0])).size, 38);
  assert.equal(q.heapSize, 0, 'stale entries are dropped as they surface');
  q.stop();
});

void test('work scheduled from a running callback is picked up', async () => {
  const q = new DueQueue(() => Date.now());
  let count = 0;
  const again = (): void => {
    if (++count < 5) q.schedule('tick', Date.now() + 2, again);
  };
  q.schedule('tick', Date.now() + 2, again);
  await sleep(100);
  assert.equal(count, 5);
  q.stop();
});
