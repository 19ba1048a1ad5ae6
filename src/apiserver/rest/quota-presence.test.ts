import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { QuotaPresence } from './quota-presence.js';

test('a namespace confirmed empty by a live lookup is trusted for 30 s', () => {
  const clock = new FakeClock();
  const presence = new QuotaPresence({} as ObjectStorage, {} as Registry, clock);
  assert.equal(presence.mayHaveQuotas('team-a'), true, 'unknown namespaces need a lookup');
  presence.confirmEmpty('team-a');
  assert.equal(presence.mayHaveQuotas('team-a'), false);
  assert.equal(presence.mayHaveQuotas('team-b'), true);
  clock.advance(30_001);
  assert.equal(presence.mayHaveQuotas('team-a'), true, 'the confirmation expires');
});
