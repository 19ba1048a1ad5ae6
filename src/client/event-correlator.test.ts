import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { EventCorrelator, type EventFacts } from './event-correlator.js';

const facts = (message: string, name = 'web-abc'): EventFacts => ({
  component: 'replicaset-controller',
  host: '',
  kind: 'ReplicaSet',
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  apiVersion: 'apps/v1',
  type: 'Normal',
  reason: 'SuccessfulCreate',
  message,
});

test('similar events are combined after ten different messages', () => {
  const c = new EventCorrelator(new FakeClock());
  const keys = new Set<string>();
  for (let i = 1; i <= 9; i++) {
    const r = c.correlate(facts(`Created pod: web-${i}`));
    assert.equal(r.skip, false);
    if (!r.skip) {
      assert.equal(r.message, `Created pod: web-${i}`);
      keys.add(r.key);
    }
  }
  assert.equal(keys.size, 9);
  const tenth = c.correlate(facts('Created pod: web-10'));
  const eleventh = c.correlate(facts('Created pod: web-11'));
  assert.ok(!tenth.skip && !eleventh.skip);
  assert.equal(tenth.message, '(combined from similar events): Created pod: web-10');
  assert.equal(tenth.key, eleventh.key, 'later similar events update the one combined event');
  assert.ok(!keys.has(tenth.key));
});

test('a repeated message keeps its own key (it is counted, not combined)', () => {
  const c = new EventCorrelator(new FakeClock());
  const a = c.correlate(facts('Back-off restarting failed container'));
  const b = c.correlate(facts('Back-off restarting failed container'));
  assert.ok(!a.skip && !b.skip);
  assert.equal(a.key, b.key);
  assert.equal(b.message, 'Back-off restarting failed container');
});

test('a source gets a burst of 25 events per object, then one per five minutes', () => {
  const clock = new FakeClock();
  const c = new EventCorrelator(clock);
  let recorded = 0;
  for (let i = 0; i < 100; i++) if (!c.correlate(facts(`Created pod: web-${i}`)).skip) recorded++;
  assert.equal(recorded, 25);
  assert.equal(
    c.correlate(facts('Created pod: other', 'web-other')).skip,
    false,
    'other objects are not limited',
  );
  clock.advance(299_000);
  assert.equal(c.correlate(facts('Created pod: late')).skip, true);
  clock.advance(2_000);
  assert.equal(c.correlate(facts('Created pod: later')).skip, false);
  assert.equal(c.correlate(facts('Created pod: latest')).skip, true);
});

test('aggregation starts over after ten quiet minutes', () => {
  const clock = new FakeClock();
  const c = new EventCorrelator(clock);
  for (let i = 0; i < 10; i++) c.correlate(facts(`m${i}`));
  clock.advance(600_001 + 300_000 * 25);
  const r = c.correlate(facts('fresh'));
  assert.ok(!r.skip);
  assert.equal(r.message, 'fresh');
});
