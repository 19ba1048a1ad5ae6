import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.js';
import { pod } from '../testing/fixtures.js';
import { SchedulingQueue } from './queue.js';

const names = (q: SchedulingQueue): string[] => {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.info.name);
  return out;
};

test('queue orders by priority, then arrival', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('low-1', {}, { priority: 0 }));
  clock.advance(1);
  q.add(pod('high', {}, { priority: 100 }));
  clock.advance(1);
  q.add(pod('low-2', {}, { priority: 0 }));
  q.add(pod('mid', {}, { priority: 50 }));
  assert.deepEqual(names(q), ['high', 'mid', 'low-1', 'low-2']);
});

test('unschedulable pods park until a cluster event, then wait out their backoff', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  const p = q.pop()!;
  q.addUnschedulable(p, q.cycle);
  assert.deepEqual(q.stats(), { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  q.flushBackoffCompleted();
  assert.equal(q.pop(), undefined, 'no busy retry while parked');

  q.moveAllToActiveOrBackoff();
  assert.deepEqual(q.stats(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.advance(999);
  q.flushBackoffCompleted();
  assert.equal(q.pop(), undefined, 'still backing off (1 s after the first attempt)');
  clock.advance(1);
  q.flushBackoffCompleted();
  assert.equal(q.pop()?.info.name, 'p');
});

test('backoff doubles from 1 s to a 10 s cap', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    const p = q.pop()!;
    seen.push(q.backoffDurationMs(p));
    q.requeueWithBackoff(p);
    clock.advance(q.backoffDurationMs(p));
    q.flushBackoffCompleted();
  }
  assert.deepEqual(seen, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('an event during the attempt sends the failed pod to backoff instead of parking it', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  const p = q.pop()!;
  const cycle = q.cycle;
  q.moveAllToActiveOrBackoff(); // e.g. a node was added while p was being scheduled
  q.addUnschedulable(p, cycle);
  assert.deepEqual(q.stats(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
});

test('parked pods are retried after 5 minutes without events; updates and deletes apply', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('a'));
  q.add(pod('b'));
  const a = q.pop()!;
  const b = q.pop()!;
  q.addUnschedulable(a, q.cycle);
  q.addUnschedulable(b, q.cycle);
  clock.advance(4 * 60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.stats().unschedulable, 2);
  clock.advance(60_000);
  q.flushUnschedulableLeftover();
  assert.deepEqual(names(q), ['a', 'b']);

  q.add(pod('c'));
  const c = q.pop()!;
  q.addUnschedulable(c, q.cycle);
  q.update(pod('c', {}, { labels: { changed: 'yes' } }), false);
  assert.equal(q.stats().unschedulable, 1, 'an irrelevant update (status) leaves it parked');
  clock.advance(1000);
  q.update(pod('c', {}, { labels: { changed: 'yes' } }), true);
  assert.equal(q.pop()?.info.labels.changed, 'yes');
  q.add(pod('d'));
  q.delete('default/d');
  assert.equal(q.pop(), undefined);
});

test('wait() resolves when a pod arrives', async () => {
  const q = new SchedulingQueue(new FakeClock());
  const waiting = q.wait();
  q.add(pod('p'));
  await waiting;
  assert.equal(q.pop()?.info.name, 'p');
});
