import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RecordDir } from './records.js';

interface Rec {
  id: string;
  n: number;
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'tugboat-records-'));
  dirs.push(d);
  return path.join(d, 'records');
}

void test('records are written to disk and a new instance (a restarted agent) reads them back', async () => {
  const dir = await tempDir();
  const a = new RecordDir<Rec>(dir);
  await a.put('one', { id: 'one', n: 1 });
  await a.put('two', { id: 'two', n: 2 });
  await a.delete('two');
  assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'one.json'), 'utf8')), { id: 'one', n: 1 });
  assert.deepEqual(await readdir(dir), ['one.json']);
  const b = new RecordDir<Rec>(dir);
  assert.deepEqual(await b.list(), [{ id: 'one', n: 1 }]);
  assert.equal(await b.get('two'), undefined);
});

void test('callers get copies: changing one without put changes nothing', async () => {
  const r = new RecordDir<Rec>(await tempDir());
  const rec = { id: 'x', n: 1 };
  await r.put('x', rec);
  rec.n = 2;
  const got = (await r.get('x'))!;
  got.n = 3;
  (await r.list())[0]!.n = 4;
  assert.deepEqual(await r.get('x'), { id: 'x', n: 1 });
});

void test('find copies only the matching records', async () => {
  const r = new RecordDir<Rec>(await tempDir());
  for (let n = 0; n < 5; n++) await r.put(`r${n}`, { id: `r${n}`, n });
  const even = await r.find((x) => x.n % 2 === 0);
  assert.deepEqual(even.map((x) => x.id).sort(), ['r0', 'r2', 'r4']);
});

void test('a missing directory is an empty set; ids are checked', async () => {
  const r = new RecordDir<Rec>(path.join(await tempDir(), 'absent'));
  assert.deepEqual(await r.list(), []);
  await assert.rejects(r.get('../etc'), /invalid record id/);
});

void test('an update racing a delete does not bring the record back, in memory or on disk', async () => {
  const dir = await tempDir();
  const r = new RecordDir<Rec>(dir);
  await r.put('c', { id: 'c', n: 1 });
  const stale = (await r.get('c'))!;
  stale.n = 2;
  const writing = r.put('c', { id: 'c', n: 3 });
  const deleting = r.delete('c');
  assert.equal(await r.update('c', stale), false);
  await Promise.all([writing, deleting]);
  assert.equal(await r.get('c'), undefined);
  assert.deepEqual(await readdir(dir), []);
  assert.deepEqual(await new RecordDir<Rec>(dir).list(), []);
});
