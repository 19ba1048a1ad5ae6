import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { WalSync } from './wal-sync.js';

test('commits are acknowledged in order, several per sync, and drain waits for all', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-walsync-'));
  const file = path.join(dir, 'db-wal');
  fs.writeFileSync(file, 'frames');
  const sync = new WalSync(file);
  const order: number[] = [];
  for (let i = 0; i < 50; i++) sync.afterCommit((err) => (assert.equal(err, undefined), order.push(i)));
  await sync.drain();
  assert.deepEqual(
    order,
    Array.from({ length: 50 }, (_, i) => i),
  );
  sync.close();
  fs.rmSync(dir, { recursive: true });
});

test('a failed sync is reported to every commit it covered', async () => {
  const sync = new WalSync(path.join(os.tmpdir(), `tugboat-missing-${process.pid}`, 'db-wal'));
  const errors = await Promise.all(
    [1, 2].map(() => new Promise<Error | undefined>((resolve) => sync.afterCommit(resolve))),
  );
  for (const err of errors) assert.match(String(err), /ENOENT/);
});

test('whenSyncEnds runs after the running sync, before the next one starts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-walsync-'));
  const file = path.join(dir, 'db-wal');
  fs.writeFileSync(file, 'frames');
  const sync = new WalSync(file);
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
  sync.close();
  fs.rmSync(dir, { recursive: true });
});
