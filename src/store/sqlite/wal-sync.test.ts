import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { WalSync } from './wal-sync.js';

/** A WalSync over a WAL file of its own, closed and removed after the test. */
function walSyncOverFile(t: TestContext): WalSync {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-walsync-'));
  const file = path.join(dir, 'db-wal');
  fs.writeFileSync(file, 'frames');
  const sync = new WalSync(file);
  t.after(() => {
    sync.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return sync;
}

test('commits are acknowledged in order, several per sync, and drain waits for all', async (t) => {
  const sync = walSyncOverFile(t);
  const order: number[] = [];
  for (let i = 0; i < 50; i++) sync.afterCommit((err) => (assert.equal(err, undefined), order.push(i)));
  await sync.drain();
  assert.deepEqual(
    order,
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('a failed sync is reported to every commit it covered', async () => {
  const sync = new WalSync(path.join(os.tmpdir(), `tugboat-missing-${process.pid}`, 'db-wal'));
  const errors = await Promise.all(
    [1, 2].map(() => new Promise<Error | undefined>((resolve) => sync.afterCommit(resolve))),
  );
  for (const err of errors) assert.match(String(err), /ENOENT/);
});

test('whenSyncEnds runs after the running sync, before the next one starts', async (t) => {
  const sync = walSyncOverFile(t);
  const order: string[] = [];
  sync.whenSyncEnds(() => order.push('idle: at once'));
  sync.afterCommit(() => order.push('first synced'));
  assert.equal(sync.syncing, true);
  sync.afterCommit(() => order.push('second synced'));
  sync.whenSyncEnds(() => {
    order.push('first ended');
    assert.equal(sync.syncing, false);
  });
  await sync.drain();
  assert.deepEqual(order, ['idle: at once', 'first synced', 'first ended', 'second synced']);
});
