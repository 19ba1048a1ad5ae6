import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { NamespacePresence } from './namespace-presence.js';

test('a namespace confirmed empty by a live lookup is trusted for 30 s', () => {
  const clock = new FakeClock();
  const presence = new NamespacePresence({} as ObjectStorage, {} as Registry, clock, 'resourcequotas');
  assert.equal(presence.mayHave('team-a'), true, 'unknown namespaces need a lookup');
  presence.confirmEmpty('team-a');
  assert.equal(presence.mayHave('team-a'), false);
  assert.equal(presence.mayHave('team-b'), true);
  clock.advance(30_001);
  assert.equal(presence.mayHave('team-a'), true, 'the confirmation expires');
});
