import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../util/clock.js';
import { SyncRunner, type Schedule } from './sync-runner.js';

/** A hand-driven timer queue over a FakeClock. */
class FakeTimers {
  private timers: { at: number; fn: () => void }[] = [];
  constructor(readonly clock: FakeClock) {}
  schedule: Schedule = (fn, delayMs) => {
    const timer = { at: this.clock.now() + delayMs, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  };
  /** Moves time forward, firing due timers in order and letting the syncs they start finish. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.clock.advance(next.at - this.clock.now());
      next.fn();
    }
    this.clock.advance(end - this.clock.now());
    await new Promise((r) => setImmediate(r));
  }
}

function setup(fail: () => boolean = () => false) {
  const clock = new FakeClock(0);
  const timers = new FakeTimers(clock);
  const runs: number[] = [];
  const errors: unknown[] = [];
  const runner = new SyncRunner(
    () => {
      runs.push(clock.now());
      return fail() ? Promise.reject(new Error('restore failed')) : Promise.resolve();
    },
    {
      minIntervalMs: 1000,
      maxIntervalMs: 30_000,
      clock,
      schedule: timers.schedule,
      onError: (e) => errors.push(e),
    },
  );
  return { clock, timers, runs, errors, runner };
}

void test('syncs at once, folds a burst of requests, keeps 1 s between syncs and resyncs every 30 s', async () => {
  const { timers, runs, runner } = setup();
  runner.start();
  await timers.advance(0);
  assert.deepEqual(runs, [0]);
  await timers.advance(200);
  for (let i = 0; i < 5; i++) runner.request();
  await timers.advance(799);
  assert.deepEqual(runs, [0], 'not before the minimum interval');
  await timers.advance(1);
  assert.deepEqual(runs, [0, 1000], 'five requests, one sync');
  await timers.advance(29_999);
  assert.deepEqual(runs, [0, 1000]);
  await timers.advance(1);
  assert.deepEqual(runs, [0, 1000, 31_000], 'periodic resync');
  await timers.advance(5000);
  runner.request();
  await timers.advance(0);
  assert.deepEqual(runs, [0, 1000, 31_000, 36_000], 'an idle runner syncs a request at once');
  await runner.stop();
  runner.request();
  await timers.advance(60_000);
  assert.equal(runs.length, 4, 'nothing after stop');
});

void test('a failed sync is retried after 1 s, 2 s, 4 s … and the error reported', async () => {
  let failing = true;
  const { timers, runs, errors, runner } = setup(() => failing);
  runner.start();
  await timers.advance(7000);
  assert.deepEqual(runs, [0, 1000, 3000, 7000]);
  assert.equal(errors.length, 4);
  failing = false;
  await timers.advance(8000);
  assert.deepEqual(runs, [0, 1000, 3000, 7000, 15_000]);
  await timers.advance(30_000);
  assert.deepEqual(runs.at(-1), 45_000, 'back to the 30 s period once it works');
  await runner.stop();
});
