import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { silentLogger } from '../../util/logger.js';
import { waitFor } from '../../util/wait.js';
import { WalCheckpointer } from './wal-checkpointer.js';

function database(): { file: string; db: Database.Database; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-ckpt-'));
  const file = path.join(dir, 'state.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  return { file, db, dir };
}

/** Closes what a test opened, also when it failed part-way. */
async function release(ckpt: WalCheckpointer, db: Database.Database, dir: string): Promise<void> {
  await ckpt.close();
  if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

test('past the threshold a thread copies the WAL into the database, and exits when idle', async () => {
  const { file, db, dir } = database();
  let here = 0;
  const ckpt = new WalCheckpointer(file, () => here++, silentLogger, {
    thresholdBytes: 64 * 1024,
    idleExitMs: 50,
  });
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const value = Buffer.alloc(8 * 1024, 1);
  for (let i = 0; i < 8; i++) insert.run(value);
  const sizeBefore = fs.statSync(file).size;
  for (let i = 0; i < 8; i++) ckpt.committed(value.length);
  // In WAL mode only a checkpoint writes to the database file itself.
  assert.ok(sizeBefore < 64 * 1024);
  await waitFor(() => fs.statSync(file).size >= 64 * 1024, { timeoutMs: 5000, message: 'WAL checkpointed' });
  await waitFor(() => !ckpt.threadRunning, { timeoutMs: 5000, message: 'the idle thread exits' });
  await ckpt.close();
  // The copy is in the database file itself: another process reading it without the WAL sees the rows.
  db.close();
  const walGone = !fs.existsSync(`${file}-wal`);
  const reopened = new Database(file, { readonly: true });
  assert.equal((reopened.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 8);
  reopened.close();
  assert.ok(walGone, 'closing the last connection removed the WAL');
  assert.equal(here, 0, 'no checkpoint on the writer thread');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('when the thread cannot open the database the checkpoint runs on the writer thread', async () => {
  const { db, dir } = database();
  let here = 0;
  // A directory is not a database: the thread fails on start.
  const ckpt = new WalCheckpointer(dir, () => here++, silentLogger, { thresholdBytes: 1 });
  ckpt.committed(10);
  await waitFor(() => here === 1, { timeoutMs: 5000, message: 'fallback checkpoint' });
  ckpt.committed(10);
  assert.equal(here, 2, 'later checkpoints run here at once');
  await ckpt.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a thread stopped for idleness does not disturb the next one', async () => {
  const { file, db, dir } = database();
  let here = 0;
  const ckpt = new WalCheckpointer(file, () => here++, silentLogger, { thresholdBytes: 1, idleExitMs: 1 });
  ckpt.committed(10);
  // The idle stop and the next checkpoint overlap: the old thread's exit must not count as a lost checkpoint.
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 1 + (i % 4)));
    ckpt.committed(10);
  }
  await ckpt.close();
  assert.equal(here, 0, 'no checkpoint fell back to the writer thread');
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Commits a 1 KiB row at every turn of the event loop for `ms`, except while paused, so that commits land
 * during every checkpoint round. The WAL file is cut back whenever SQLite starts it over (journal_size_limit):
 * returns how often it shrank, and how many rows were committed.
 */
async function steadyWrites(
  db: Database.Database,
  file: string,
  ckpt: WalCheckpointer,
  isPaused: () => boolean,
  ms: number,
): Promise<{ restarts: number; commits: number }> {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const value = Buffer.alloc(1024, 1);
  db.pragma('journal_size_limit = 0');
  let restarts = 0;
  let size = 0;
  let commits = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isPaused()) {
      insert.run(value);
      ckpt.committed(value.length);
      commits++;
    }
    const now = fs.statSync(`${file}-wal`).size;
    if (now < size) restarts++;
    size = now;
    await new Promise((r) => setImmediate(r));
  }
  return { restarts, commits };
}

test('under a steady stream of commits the WAL is still reused: a last round runs with commits paused', async (t) => {
  const { file, db, dir } = database();
  let paused = false;
  let pauses = 0;
  const ckpt = new WalCheckpointer(file, () => {}, silentLogger, {
    thresholdBytes: 256 * 1024,
    pauseCommits: () => {
      paused = true;
      pauses++;
      return () => (paused = false);
    },
  });
  t.after(() => release(ckpt, db, dir));
  const { restarts, commits } = await steadyWrites(db, file, ckpt, () => paused, 1500);
  await ckpt.close();
  assert.ok(pauses >= 1, 'commits were paused for a last round');
  assert.equal(paused, false, 'and resumed');
  assert.ok(commits > 1000, `commits were steady (${commits})`);
  assert.ok(restarts >= 2, `the WAL was started over ${restarts} times`);
});

test('closing the checkpointer while commits are paused resumes them', async (t) => {
  const { file, db, dir } = database();
  let paused = false;
  // A threshold far above what lands during one round: with a small one, a round slowed by a busy machine
  // saw the threshold crossed again and started over rather than pausing.
  const ckpt = new WalCheckpointer(file, () => {}, silentLogger, {
    thresholdBytes: 1024 * 1024,
    pauseCommits: () => {
      paused = true;
      return () => (paused = false);
    },
  });
  t.after(() => release(ckpt, db, dir));
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const value = Buffer.alloc(8 * 1024, 1);
  // Commit between every round until one pauses.
  for (let i = 0; i < 2000 && !paused; i++) {
    insert.run(value);
    ckpt.committed(value.length);
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.ok(paused, 'a last round paused commits');
  await ckpt.close();
  assert.equal(paused, false);
});
