import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISRUPTION_DEFAULTS, taintRate, TokenBucket, zoneOf, zoneState } from './disruption.js';

test('zone states as upstream ComputeZoneState', () => {
  assert.equal(zoneState(['True', 'True'], 0.55), 'Normal');
  assert.equal(zoneState(['Unknown', 'False'], 0.55), 'FullDisruption');
  // Two not ready never make a partial disruption, whatever the share.
  assert.equal(zoneState(['True', 'False', 'Unknown'], 0.55), 'Normal');
  assert.equal(zoneState(['True', 'False', 'Unknown', 'False'], 0.55), 'PartialDisruption');
  assert.equal(zoneState(['True', 'True', 'False', 'Unknown', 'False', 'True', 'True'], 0.55), 'Normal');
  assert.equal(zoneState([], 0.55), 'Normal');
});

test('taint rates: normal and full disruption at the eviction rate; partial only in large zones', () => {
  const o = DISRUPTION_DEFAULTS;
  assert.equal(taintRate('Normal', 3, o), 0.1);
  assert.equal(taintRate('FullDisruption', 3, o), 0.1);
  assert.equal(taintRate('PartialDisruption', 50, o), 0);
  assert.equal(taintRate('PartialDisruption', 51, o), 0.01);
});

test('a token bucket of one token refills at its rate; rate 0 never refills', () => {
  const b = new TokenBucket(0.1, 0);
  assert.equal(b.take(0), 0);
  assert.equal(b.take(0), 10_000);
  assert.equal(b.take(4_000), 6_000);
  assert.equal(b.take(10_000), 0);
  // A long pause still leaves just one token.
  assert.equal(b.take(100_000), 0);
  assert.equal(b.take(100_000), 10_000);
  b.setRate(0, 100_000);
  assert.equal(b.take(1_000_000), Infinity);
});

test('zone keys join region and zone; nodes without either share the empty zone', () => {
  assert.equal(zoneOf({ metadata: { name: 'a' } }), '');
  assert.equal(
    zoneOf({
      metadata: { labels: { 'topology.kubernetes.io/region': 'eu', 'topology.kubernetes.io/zone': 'eu-1' } },
    }),
    'eu:\u0000:eu-1',
  );
  assert.equal(zoneOf({ metadata: { labels: { 'topology.kubernetes.io/zone': 'z' } } }), ':\u0000:z');
});
