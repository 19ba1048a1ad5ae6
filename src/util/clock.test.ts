import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339 } from './clock.js';

test('rfc3339 gives second precision, whatever the order of the times asked', () => {
  const t = Date.parse('2026-12-04T10:20:30.999Z');
  assert.equal(rfc3339(t), '2026-12-04T10:20:30Z');
  assert.equal(rfc3339(t - 999), '2026-12-04T10:20:30Z');
  assert.equal(rfc3339(t + 1), '2026-12-04T10:20:31Z');
  assert.equal(rfc3339(t), '2026-12-04T10:20:30Z');
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
});
