import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NodePasswords } from './node-passwords.js';

test('a node name stays with the password it was first claimed with, across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'node-passwd-'));
  try {
    const path = join(dir, 'cred', 'node-passwd');
    let gone = false;
    const nodeGone = (): Promise<boolean> => Promise.resolve(gone);
    const first = new NodePasswords(path);
    assert.equal(await first.claim('n1', 'machine-a', nodeGone), true);
    assert.equal(await first.claim('n1', 'machine-a', nodeGone), true);
    assert.equal(await first.claim('n1', 'machine-b', nodeGone), false, 'another machine may not take n1');
    assert.equal(await first.claim('n2', 'machine-b', nodeGone), true);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.doesNotMatch(await readFile(path, 'utf8'), /machine-/, 'only digests are stored');

    const restarted = new NodePasswords(path);
    assert.equal(await restarted.claim('n1', 'machine-b', nodeGone), false);
    gone = true; // the Node was deleted: its name is free again
    assert.equal(await restarted.claim('n1', 'machine-b', nodeGone), true);
    gone = false;
    assert.equal(await restarted.claim('n1', 'machine-a', nodeGone), false);
    assert.equal(await new NodePasswords(path).claim('n2', 'machine-b', nodeGone), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('concurrent claims of one name admit one password', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'node-passwd-'));
  try {
    const passwords = new NodePasswords(join(dir, 'node-passwd'));
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((m) => passwords.claim('n1', `machine-${m}`, () => Promise.resolve(false))),
    );
    assert.deepEqual(results, [true, false, false, false]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
