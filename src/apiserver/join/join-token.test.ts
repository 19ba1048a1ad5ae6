import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caBundleHash, formatJoinToken, newJoinPassword, parseJoinToken } from './join-token.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('a K10 token carries the CA bundle hash and the password', () => {
  const password = newJoinPassword();
  const token = formatJoinToken(CA, password);
  assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
  assert.deepEqual(parseJoinToken(token), { caHash: caBundleHash(CA), password });
  assert.notEqual(newJoinPassword(), password);
});

test('a bare token is the password alone; surrounding whitespace is ignored', () => {
  assert.deepEqual(parseJoinToken('  s3cret\n'), { password: 's3cret' });
  // k3s's form without a user name is accepted too.
  const hash = caBundleHash(CA);
  assert.deepEqual(parseJoinToken(`K10${hash}::pw`), { caHash: hash, password: 'pw' });
});

test('malformed tokens are refused with the reason', () => {
  assert.throws(() => parseJoinToken(''), /empty/);
  assert.throws(() => parseJoinToken('K10abc'), /has the form K10<ca-hash>/);
  assert.throws(() => parseJoinToken('K10abc::server:pw'), /not a sha256/);
  assert.throws(() => parseJoinToken(`K10${'a'.repeat(64)}::server:`), /no password/);
  assert.throws(() => parseJoinToken('abc::server:pw'), /does not start with K10/);
});
