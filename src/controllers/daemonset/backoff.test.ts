import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.js';
import { NodeBackoff } from './backoff.js';

test('failed-pod backoff doubles per node from 1 s and resets after a long quiet spell', () => {
  const clock = new FakeClock();
  const backoff = new NodeBackoff(clock);
  const ds = backoff.forDaemonSet('uid');
  assert.equal(ds.tryNext('n1'), 0, 'the first failure is replaced at once');
  assert.equal(ds.tryNext('n1'), 1000);
  assert.equal(ds.tryNext('n2'), 0, 'nodes back off independently');
  clock.advance(1000);
  assert.equal(ds.tryNext('n1'), 0);
  assert.equal(ds.tryNext('n1'), 2000);
  clock.advance(2000);
  assert.equal(ds.tryNext('n1'), 0);
  assert.equal(ds.tryNext('n1'), 4000);
  clock.advance(31 * 60_000);
  assert.equal(ds.tryNext('n1'), 0);
  assert.equal(ds.tryNext('n1'), 1000, 'back to the initial delay');
  backoff.forget('uid');
  assert.equal(ds.tryNext('n1'), 0);
});
