import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, openStore, parseStoreEndpoint } from './index.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

void describe('parseStoreEndpoint', () => {
  void test('accepts the three backends', () => {
    assert.deepEqual(parseStoreEndpoint('memory://'), { kind: 'memory' });
    assert.deepEqual(parseStoreEndpoint('sqlite:///var/lib/tugboat/state.db'), {
      kind: 'sqlite',
      path: '/var/lib/tugboat/state.db',
    });
    assert.deepEqual(parseStoreEndpoint('sqlite://data/state.db'), { kind: 'sqlite', path: 'data/state.db' });
    assert.deepEqual(parseStoreEndpoint('etcd://10.0.0.1:2379,etcd-2.local:2379,[::1]:2379'), {
      kind: 'etcd',
      endpoints: ['10.0.0.1:2379', 'etcd-2.local:2379', '[::1]:2379'],
      keyPrefix: '',
    });
    assert.deepEqual(parseStoreEndpoint('etcd://127.0.0.1:2379?prefix=/tugboat'), {
      kind: 'etcd',
      endpoints: ['127.0.0.1:2379'],
      keyPrefix: '/tugboat',
    });
  });

  void test('rejects bad endpoints with a clear message', () => {
    for (const bad of [
      '',
      '/var/lib/state.db',
      'postgres://db:5432',
      'sqlite://',
      'memory://x',
      'etcd://',
      'etcd://host',
      'etcd://host:0',
      'etcd://host:99999',
      'etcd://a:1,,b:2',
    ]) {
      assert.throws(() => parseStoreEndpoint(bad), /invalid datastore endpoint/, bad);
    }
  });
});

void describe('openStore', () => {
  void test('memory:// opens a memory store', async () => {
    const s = await openStore('memory://');
    assert.ok(s instanceof MemoryStore);
    await s.close();
  });

  void test('sqlite:// creates parent directories and the database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-open-'));
    try {
      const file = path.join(dir, 'a', 'b', 'state.db');
      const s = await openStore(`sqlite://${file}`);
      assert.ok(s instanceof SqliteStore);
      await s.create('/x', Buffer.from('1'));
      await s.close();
      assert.ok(fs.existsSync(file));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('an unreachable etcd fails with a clear error', async () => {
    await assert.rejects(
      openStore('etcd://127.0.0.1:1', { connectTimeoutMs: 3000 }),
      /cannot reach etcd at 127.0.0.1:1/,
    );
  });
});
