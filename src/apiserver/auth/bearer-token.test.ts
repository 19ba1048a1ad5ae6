import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken } from './bearer-token.js';

void test('reads the token of a bearer Authorization header as upstream splits it', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer abc'), 'abc', 'the scheme in any case');
  assert.equal(bearerToken('BEARER abc'), 'abc');
  assert.equal(bearerToken('  Bearer abc  '), 'abc', 'the header is trimmed');
  assert.equal(bearerToken('Bearer abc def'), 'abc', 'fields after the token are ignored');
  assert.equal(bearerToken('Bearer  abc'), undefined, 'two spaces leave an empty second field');
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken('Bearer '), undefined);
  assert.equal(bearerToken('Basic YWJjOmRlZg=='), undefined);
  assert.equal(bearerToken('Bearerx abc'), undefined);
  assert.equal(bearerToken('Bearer\tabc'), undefined, 'only a space separates the fields');
  assert.equal(bearerToken(''), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
