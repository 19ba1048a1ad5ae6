import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFields } from './logger.js';

test('log fields print bigints as numbers instead of throwing', () => {
  assert.equal(formatFields({ node: 'n1', network: 10n << 24n }), '{"node":"n1","network":"167772160"}');
});

test('unserializable log fields are reported, not thrown', () => {
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.match(formatFields({ loop }), /^\{"unserializableFields":"TypeError: Converting circular structure/);
});
