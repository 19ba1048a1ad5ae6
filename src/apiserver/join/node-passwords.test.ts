import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { sha256 } from '../auth/digest.js';
import { NODE_PASSWORD_PREFIX } from '../bootstrap/keys.js';
import { importNodePasswordFile, NodePasswords } from './node-passwords.js';

test('a node name stays with the password it was first claimed with, across servers and restarts', async () => {
  const store = new MemoryStore();
  try {
    let gone = false;
    const nodeGone = (): Promise<boolean> => Promise.resolve(gone);
    const first = new NodePasswords(store);
    assert.equal(await first.claim('n1', 'machine-a', nodeGone), true);
    assert.equal(await first.claim('n1', 'machine-a', nodeGone), true);
    assert.equal(await first.claim('n1', 'machine-b', nodeGone), false, 'another machine may not take n1');
    assert.equal(await first.claim('n2', 'machine-b', nodeGone), true);
    const stored = (await store.list(NODE_PASSWORD_PREFIX)).items;
    assert.deepEqual(
      stored.map((kv) => kv.key),
      [`${NODE_PASSWORD_PREFIX}n1`, `${NODE_PASSWORD_PREFIX}n2`],
    );
    assert.ok(
      stored.every((kv) => !kv.value.toString().includes('machine-')),
      'only digests are stored',
    );

    const other = new NodePasswords(store); // another server, or this one restarted
    assert.equal(await other.claim('n1', 'machine-b', nodeGone), false);
    gone = true; // the Node was deleted: its name is free again
    assert.equal(await other.claim('n1', 'machine-b', nodeGone), true);
    gone = false;
    assert.equal(await first.claim('n1', 'machine-a', nodeGone), false);
    assert.equal(await new NodePasswords(store).claim('n2', 'machine-b', nodeGone), true);
  } finally {
    await store.close();
  }
});

test('concurrent claims of one name through two servers admit one password', async () => {
  const store = new MemoryStore();
  try {
    const servers = [new NodePasswords(store), new NodePasswords(store)];
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((m, i) =>
        servers[i % 2]!.claim('n1', `machine-${m}`, () => Promise.resolve(false)),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1, `exactly one claim wins: ${results.join(',')}`);
    const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)]!;
    assert.equal(await servers[0]!.claim('n1', `machine-${winner}`, () => Promise.resolve(false)), true);
  } finally {
    await store.close();
  }
});

test('a node-passwd file of an older server is imported without overriding claims already in the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'node-passwd-'));
  const store = new MemoryStore();
  try {
    const path = join(dir, 'node-passwd');
    const line = (password: string, name: string): string => `${sha256(password).toString('hex')},${name}\n`;
    await writeFile(path, line('machine-a', 'n1') + line('machine-b', 'n2') + 'garbage\n');
    const passwords = new NodePasswords(store);
    assert.equal(await passwords.claim('n2', 'machine-c', () => Promise.resolve(false)), true);

    assert.equal(await importNodePasswordFile(store, path), 1);
    assert.equal(await importNodePasswordFile(store, path), 0, 'importing again changes nothing');
    assert.equal(await importNodePasswordFile(store, join(dir, 'missing')), 0);
    const never = (): Promise<boolean> => Promise.resolve(false);
    assert.equal(await passwords.claim('n1', 'machine-b', never), false);
    assert.equal(await passwords.claim('n1', 'machine-a', never), true);
    assert.equal(await passwords.claim('n2', 'machine-c', never), true);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
