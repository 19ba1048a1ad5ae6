import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { caBundleHash, parseJoinToken } from '../apiserver/join/join-token.js';
import { ensureJoinToken } from './server-join.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('the join token is generated once, kept in node-token with the CA hash, and --token replaces it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'join-token-'));
  try {
    const path = join(dir, 'node-token');
    const password = await ensureJoinToken(dir, CA);
    const written = (await readFile(path, 'utf8')).trim();
    assert.deepEqual(parseJoinToken(written), { caHash: caBundleHash(CA), password });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await ensureJoinToken(dir, CA), password, 'a restart keeps the token');

    assert.equal(await ensureJoinToken(dir, CA, 'chosen-secret'), 'chosen-secret');
    assert.equal(parseJoinToken(await readFile(path, 'utf8')).password, 'chosen-secret');
    assert.equal(await ensureJoinToken(dir, CA, written), password, 'a full token given back works');
    await assert.rejects(
      ensureJoinToken(dir, CA, `K10${'b'.repeat(64)}::server:pw`),
      /does not match this server's CA/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
