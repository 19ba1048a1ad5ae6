import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, waitFor } from '../util/wait.js';
import { startCompactor } from './compactor.js';
import { MemoryStore } from './memory/memory-store.js';

async function writes(store: MemoryStore, n: number): Promise<void> {
  let kv = (await store.get('/c/k')) ?? (await store.create('/c/k', Buffer.from('0')));
  for (let i = 0; i < n; i++) kv = await store.update('/c/k', Buffer.from(String(i)), kv.modRevision);
}

void test('compactor keeps a window of keepRevisions revisions', async () => {
  const store = new MemoryStore();
  await writes(store, 50);
  const c = startCompactor(store, { intervalMs: 5, keepRevisions: 10 });
  try {
    const current = await store.currentRevision();
    await waitFor(async () => (await store.compactedRevision()) === current - 10, { message: 'compaction' });
    assert.equal((await store.get('/c/k'))?.value.toString(), '49');
  } finally {
    c.stop();
    await store.close();
  }
});

void test('compactor does nothing while history is shorter than the window', async () => {
  const store = new MemoryStore();
  await writes(store, 5);
  const c = startCompactor(store, { intervalMs: 60_000, keepRevisions: 10 });
  await c.runOnce();
  assert.equal(await store.compactedRevision(), 0);
  await writes(store, 20);
  await c.runOnce();
  assert.equal(await store.compactedRevision(), (await store.currentRevision()) - 10);
  c.stop();
  await store.close();
});

void test('a stopped compactor compacts no more', async () => {
  const store = new MemoryStore();
  const c = startCompactor(store, { intervalMs: 5, keepRevisions: 1 });
  c.stop();
  await writes(store, 20);
  // Absence can only be checked after a while: let several intervals pass.
  await sleep(50);
  assert.equal(await store.compactedRevision(), 0);
  await store.close();
});
