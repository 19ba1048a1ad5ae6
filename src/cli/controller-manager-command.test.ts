import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from './command.js';
import { clusterSigning } from './controller-manager-command.js';

void test('--cluster-signing-* flags: both files or none, and a Go duration', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-signing-'));
  try {
    const cert = join(dir, 'ca.crt');
    const key = join(dir, 'ca.key');
    await writeFile(cert, 'CERT');
    await writeFile(key, 'KEY');
    assert.equal(await clusterSigning({}), undefined);
    assert.deepEqual(
      await clusterSigning({
        'cluster-signing-cert-file': cert,
        'cluster-signing-key-file': key,
        'cluster-signing-duration': '24h',
      }),
      { certPem: 'CERT', keyPem: 'KEY', durationMs: 86_400_000 },
    );
    const usage = (pattern: RegExp) => (err: unknown) =>
      err instanceof UsageError && pattern.test(err.message);
    await assert.rejects(clusterSigning({ 'cluster-signing-cert-file': cert }), usage(/go together/));
    await assert.rejects(
      clusterSigning({ 'cluster-signing-duration': 'a year' }),
      usage(/invalid value for --cluster-signing-duration: "a year"/),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
