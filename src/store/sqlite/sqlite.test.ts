import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { CompactedError, RevisionMismatchError, StoreClosedError } from '../types.js';
import { runStoreContract } from '../contract.js';
import { SqliteStore } from './sqlite-store.js';
import { WalSync } from './wal-sync.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-sqlite-'));
let n = 0;
after(() => fs.rmSync(dir, { recursive: true, force: true }));

runStoreContract('sqlite', () => Promise.resolve(SqliteStore.open(path.join(dir, `db${n++}`, 'state.db'))));

void describe('sqlite specifics', () => {
  const file = (): string => path.join(dir, `extra${n++}`, 'state.db');

  void test('a failed WAL sync refuses the write and everything after it; close still releases the database', async (t) => {
    const f = file();
    const s = SqliteStore.open(f);
    await s.create('/r/ok', Buffer.from('ok'));
    type SyncOnce = (cb: (err: Error | null) => void) => void;
    const proto = WalSync.prototype as unknown as { syncOnce: SyncOnce };
    t.mock.method(proto, 'syncOnce', (cb: (err: Error | null) => void) => cb(new Error('EIO: disk gone')));
    await assert.rejects(s.create('/r/lost', Buffer.from('x')), /EIO/);
    await assert.rejects(s.create('/r/after', Buffer.from('y')), StoreClosedError);
    t.mock.restoreAll();
    await s.close();
    // SQLite removes the WAL when its last connection closes: the handle really was released.
    assert.equal(fs.existsSync(`${f}-wal`), false);
  });

  void test('whenPendingPublished answers after the writes on their way reached watchers, and not when none are', async () => {
    const s = SqliteStore.open(file());
    try {
      const seen: string[] = [];
      const w = s.watch('/r/', await s.currentRevision(), {
        onEvents: (events) => seen.push(...events.map((e) => e.kv.key)),
        onError: (err) => assert.fail(err),
      });
      assert.equal(
        s.whenPendingPublished(() => assert.fail('nothing was on its way')),
        false,
      );
      await new Promise((r) => setImmediate(r)); // the watch has caught up
      const writes = [s.create('/r/a', Buffer.from('a')), s.create('/r/b', Buffer.from('b'))];
      const published = new Promise<string[]>((resolve) => {
        assert.equal(
          s.whenPendingPublished(() => resolve([...seen])),
          true,
        );
      });
      assert.deepEqual(await published, ['/r/a', '/r/b'], 'called once their events were delivered');
      await Promise.all(writes);
      assert.equal(
        s.whenPendingPublished(() => assert.fail('nothing was on its way')),
        false,
      );
      // A write that fails its check publishes nothing, and still releases whoever waited for it.
      const failing = s.create('/r/a', Buffer.from('again'));
      await new Promise<void>((resolve) => assert.equal(s.whenPendingPublished(resolve), true));
      await assert.rejects(failing);
      w.close();
    } finally {
      await s.close();
    }
  });

  void test('data, revisions and the compaction point survive a reopen', async () => {
    const f = file();
    const s1 = SqliteStore.open(f);
    const a = await s1.create('/r/a', Buffer.from('a'));
    await s1.update('/r/a', Buffer.from('a2'), a.modRevision);
    await s1.create('/r/b', Buffer.from('b'));
    const del = await s1.delete('/r/b');
    // The newest row is a deletion marker that compaction removes: the revision must not go back.
    await s1.compact(del.modRevision);
    await s1.close();
    const s2 = SqliteStore.open(f);
    try {
      assert.equal(await s2.currentRevision(), del.modRevision);
      assert.equal(await s2.compactedRevision(), del.modRevision);
      assert.equal((await s2.get('/r/a'))?.value.toString(), 'a2');
      assert.equal(await s2.get('/r/b'), undefined);
      const next = await s2.create('/r/c', Buffer.from('c'));
      assert.equal(next.modRevision, del.modRevision + 1);
      await assert.rejects(s2.list('/r/', { revision: a.modRevision }), CompactedError);
    } finally {
      await s2.close();
    }
  });

  void test('compaction removes superseded rows and deletion markers from the table', async () => {
    const f = file();
    const s = SqliteStore.open(f);
    let kv = await s.create('/x/k', Buffer.from('0'));
    for (let i = 1; i <= 2500; i++) kv = await s.update('/x/k', Buffer.from(String(i)), kv.modRevision);
    await s.create('/x/gone', Buffer.from('g'));
    await s.delete('/x/gone');
    const later = await s.update('/x/k', Buffer.from('later'), kv.modRevision);
    await s.compact(later.modRevision - 1);
    await s.close();
    const db = new Database(f, { readonly: true });
    try {
      const rows = db.prepare('SELECT id, name, deleted FROM kine WHERE id > 0 ORDER BY id').all();
      assert.deepEqual(rows, [
        { id: kv.modRevision, name: '/x/k', deleted: 0 },
        { id: later.modRevision, name: '/x/k', deleted: 0 },
      ]);
    } finally {
      db.close();
    }
  });

  void test('a failed write in a group does not fail the others', async () => {
    const s = SqliteStore.open(file());
    try {
      await s.create('/g/exists', Buffer.from('x'));
      const results = await Promise.allSettled([
        s.create('/g/1', Buffer.from('1')),
        s.create('/g/exists', Buffer.from('dup')),
        s.update('/g/missing', Buffer.from('u'), 1),
        s.create('/g/2', Buffer.from('2')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
      assert.equal(await s.count('/g/'), 3);
    } finally {
      await s.close();
    }
  });

  void test('get answers the latest visible value, from memory or, once evicted, from the database', async () => {
    // Room for eight of these values: writing twelve evicts the first ones.
    const s = SqliteStore.open(file(), { latestValuesBytes: 9000 });
    const big = (c: string): Buffer => Buffer.alloc(1000, c);
    const first = (kv: { value: Buffer } | undefined): string | undefined => kv?.value.toString()[0];
    try {
      const created = [];
      for (let i = 0; i < 12; i++) created.push(await s.create(`/l/${i}`, big(String(i % 10))));
      for (const i of [0, 11]) {
        const key = `/l/${i}`;
        assert.equal(first(await s.get(key)), String(i % 10), `${key} as created`);
        await s.update(key, big('u'), created[i]!.modRevision);
        assert.equal(first(await s.get(key)), 'u', `${key} updated`);
        await s.delete(key);
        assert.equal(await s.get(key), undefined, `${key} deleted`);
        await s.create(key, big('n'));
        for (let j = 1; j < 11; j++) assert.equal(first(await s.get(`/l/${j}`)), String(j % 10));
        assert.equal(first(await s.get(key)), 'n', `${key} created again`);
        assert.equal((await s.get(key))?.modRevision, await s.currentRevision());
      }
    } finally {
      await s.close();
    }
  });

  void test('get does not answer a write before it is durable, even for a key read just before', async (t) => {
    const s = SqliteStore.open(file());
    try {
      const v1 = await s.create('/d/k', Buffer.from('v1'));
      assert.equal((await s.get('/d/k'))?.value.toString(), 'v1');
      type SyncOnce = (cb: (err: Error | null) => void) => void;
      const proto = WalSync.prototype as unknown as { syncOnce: SyncOnce };
      const original = proto.syncOnce;
      let release: () => void = () => {};
      t.mock.method(proto, 'syncOnce', function (this: unknown, cb: (err: Error | null) => void) {
        release = () => original.call(this, cb);
      });
      const written = s.update('/d/k', Buffer.from('v2'), v1.modRevision);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await s.get('/d/k'))?.value.toString(), 'v1', 'the sync has not finished');
      t.mock.restoreAll();
      release();
      await written;
      assert.equal((await s.get('/d/k'))?.value.toString(), 'v2');
    } finally {
      await s.close();
    }
  });

  void test('writes of one key in one transaction are each checked against the one before', async () => {
    const s = SqliteStore.open(file());
    try {
      const base = await s.currentRevision();
      const [created, updated, deleted, again] = await Promise.all([
        s.create('/r/k', Buffer.from('a')),
        s.update('/r/k', Buffer.from('b'), base + 1),
        s.delete('/r/k', base + 2),
        s.create('/r/k', Buffer.from('c')),
      ]);
      assert.deepEqual(
        [created.modRevision, updated.modRevision, deleted.modRevision, again.modRevision],
        [base + 1, base + 2, base + 3, base + 4],
      );
      assert.equal(updated.createRevision, base + 1);
      assert.equal(deleted.value.toString(), 'b', 'a deletion returns the value it removed');
      assert.equal(again.createRevision, base + 4, 'created anew');
      await assert.rejects(s.update('/r/k', Buffer.from('d'), base + 2), RevisionMismatchError);
      assert.equal((await s.get('/r/k'))?.value.toString(), 'c');
    } finally {
      await s.close();
    }
  });

  void test('a write committed while an earlier one awaits its sync is checked against that one', async (t) => {
    const s = SqliteStore.open(file());
    let release: (() => void) | undefined;
    try {
      const v0 = await s.create('/r/k', Buffer.from('v0'));
      type SyncOnce = (this: WalSync, cb: (err: Error | null) => void) => void;
      const proto = WalSync.prototype as unknown as { syncOnce: SyncOnce };
      const realSync = proto.syncOnce;
      t.mock.method(proto, 'syncOnce', function (this: WalSync, cb: (err: Error | null) => void) {
        release = () => realSync.call(this, cb);
      });
      const v1 = s.update('/r/k', Buffer.from('v1'), v0.modRevision);
      await new Promise((r) => setImmediate(r));
      assert.ok(release, 'v1 committed; its sync is held');
      // close() commits what is queued at once, while v1 is not visible yet.
      const v2 = s.update('/r/k', Buffer.from('v2'), v0.modRevision + 1);
      const closed = s.close();
      t.mock.restoreAll();
      release();
      release = undefined;
      assert.equal((await v1).modRevision, v0.modRevision + 1);
      assert.equal((await v2).modRevision, v0.modRevision + 2);
      await closed;
    } finally {
      t.mock.restoreAll();
      release?.();
      await s.close();
    }
  });

  void test('writes issued while a WAL sync runs wait uncommitted, then commit in one transaction', async (t) => {
    const f = file();
    const s = SqliteStore.open(f);
    let release: (() => void) | undefined;
    try {
      await s.create('/r/k', Buffer.from('v0'));
      type SyncOnce = (this: WalSync, cb: (err: Error | null) => void) => void;
      const proto = WalSync.prototype as unknown as { syncOnce: SyncOnce };
      const realSync = proto.syncOnce;
      t.mock.method(proto, 'syncOnce', function (this: WalSync, cb: (err: Error | null) => void) {
        release = () => realSync.call(this, cb);
      });
      let rev = (await s.get('/r/k'))!.modRevision;
      const first = s.update('/r/k', Buffer.from('v1'), rev++);
      await new Promise((r) => setImmediate(r));
      assert.ok(release, 'the first update committed and its sync started');
      const walBytes = fs.statSync(`${f}-wal`).size;
      const later: Promise<unknown>[] = [];
      for (let i = 2; i <= 10; i++) {
        later.push(s.update('/r/k', Buffer.from(`v${i}`), rev++));
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(fs.statSync(`${f}-wal`).size, walBytes, 'nothing committed while the sync ran');
      t.mock.restoreAll();
      release();
      release = undefined;
      await first;
      await Promise.all(later);
      assert.equal(
        (await s.get('/r/k'))!.value.toString(),
        'v10',
        'each update was checked against the one before',
      );
      // Nine transactions would have added nine frames of at least a page each; one adds the pages it touched.
      assert.ok(fs.statSync(`${f}-wal`).size - walBytes < 4 * 4096, 'one transaction');
    } finally {
      t.mock.restoreAll();
      release?.(); // close() waits for the held sync
      await s.close();
    }
  });
});

void test('a new database file is readable by its owner only', async () => {
  const f = path.join(dir, `perm${n++}`, 'state.db');
  const s = SqliteStore.open(f);
  await s.create('/secret', Buffer.from('x'));
  await s.close();
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
});
