import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SliceTracker } from './slice-tracker.js';

const slice = (uid: string, rv: number): EndpointSlice => ({
  addressType: 'IPv4',
  endpoints: [],
  metadata: {
    namespace: 'ns',
    uid,
    resourceVersion: String(rv),
    labels: { 'kubernetes.io/service-name': 'web' },
  },
});

void test('stale: an older copy, a slice we deleted, or a slice we wrote that the cache lacks', () => {
  const t = new SliceTracker();
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 1)]), false, 'nothing tracked');
  t.written('ns/web', 'svc', slice('a', 5));
  assert.equal(t.stale('ns/web', 'svc', []), true);
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 4)]), true);
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 5)]), false);
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 7)]), false);
  t.expectDeletion('ns/web', 'svc', slice('b', 3));
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 5), slice('b', 3)]), true);
  assert.equal(t.stale('ns/web', 'svc', [slice('a', 5)]), false);
  // A new Service of the same name forgets the old one's writes.
  assert.equal(t.stale('ns/web', 'svc2', []), false);
});

void test('events: own writes are no news, later ones are; deletions we made are expected', () => {
  const t = new SliceTracker();
  t.written('ns/web', 'svc', slice('a', 5));
  assert.equal(t.shouldSync(slice('a', 5)), false);
  assert.equal(t.shouldSync(slice('a', 6)), true);
  assert.equal(t.shouldSync(slice('other', 1)), true);
  t.expectDeletion('ns/web', 'svc', slice('a', 5));
  assert.equal(t.handleDeletion(slice('a', 5)), true);
  assert.equal(t.handleDeletion(slice('a', 5)), false, 'forgotten once seen');
  t.written('ns/web', 'svc', slice('c', 8));
  assert.equal(t.handleDeletion(slice('c', 8)), false, 'somebody else deleted it');
  assert.equal(t.handleDeletion(slice('untracked', 1)), false);
});
