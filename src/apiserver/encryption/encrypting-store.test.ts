import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import type { StoreEvent } from '../../store/types.js';
import { silentLogger } from '../../util/logger.js';
import { waitFor } from '../../util/wait.js';
import { ApiError } from '../../api/errors.js';
import { parseEncryptionConfig } from './config.js';
import { EncryptingStore } from './encrypting-store.js';

function config(...keys: string[]): ReturnType<typeof parseEncryptionConfig> {
  return parseEncryptionConfig(
    JSON.stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [
        {
          resources: ['secrets'],
          providers: [{ aescbc: { keys: keys.map((k) => ({ name: k.slice(0, 4), secret: k })) } }],
        },
      ],
    }),
  );
}

const SECRET = '/registry/core/secrets/default/db';
const CONFIGMAP = '/registry/core/configmaps/default/app';
const value = (s: string): Buffer => Buffer.from(JSON.stringify({ data: s }));

void test('configured resources are encrypted below and plain above; others pass through untouched', async () => {
  const inner = new MemoryStore();
  const k1 = randomBytes(32).toString('base64');
  const store = new EncryptingStore(inner, config(k1), silentLogger);
  const created = await store.create(SECRET, value('hunter2'));
  assert.deepEqual(created.value, value('hunter2'));
  await store.create(CONFIGMAP, value('plain'));
  const raw = (await inner.get(SECRET))!.value.toString('latin1');
  assert.ok(raw.startsWith(`k8s:enc:aescbc:v1:${k1.slice(0, 4)}:`), raw);
  assert.equal(raw.includes('hunter2'), false);
  assert.deepEqual((await inner.get(CONFIGMAP))!.value, value('plain'));

  assert.deepEqual((await store.get(SECRET))!.value, value('hunter2'));
  const listed = await store.list('/registry/core/secrets/');
  assert.deepEqual(
    listed.items.map((kv) => kv.value),
    [value('hunter2')],
  );
  const updated = await store.update(SECRET, value('hunter3'), created.modRevision);
  assert.deepEqual(updated.value, value('hunter3'));
  assert.deepEqual((await store.delete(SECRET)).value, value('hunter3'));
  await store.close();
});

void test('watch events arrive decrypted; one that cannot be read is left out, the rest still come', async () => {
  const inner = new MemoryStore();
  const store = new EncryptingStore(inner, config(randomBytes(32).toString('base64')), silentLogger);
  const events: StoreEvent[] = [];
  const watcher = store.watch('/registry/', await store.currentRevision(), {
    onEvents: (e) => events.push(...e),
    onError: (err) => assert.fail(err),
  });
  const a = await store.create(SECRET, value('one'));
  await store.update(SECRET, value('two'), a.modRevision);
  await inner.create('/registry/core/secrets/default/foreign', Buffer.from('k8s:enc:aescbc:v1:zzzz:garbage'));
  await store.create(CONFIGMAP, value('plain'));
  await store.delete(SECRET);
  await waitFor(() => events.length >= 4 || undefined, { timeoutMs: 2000 });
  assert.deepEqual(
    events.map((e) => [e.type, e.kv.key, e.kv.value.toString(), e.prevKv?.value.toString()]),
    [
      ['create', SECRET, '{"data":"one"}', undefined],
      ['update', SECRET, '{"data":"two"}', '{"data":"one"}'],
      ['create', CONFIGMAP, '{"data":"plain"}', undefined],
      ['delete', SECRET, '{"data":"two"}', '{"data":"two"}'],
    ],
  );
  watcher.close();
  await store.close();
});

void test('after a rotation old values read as stale; unreadable values are a 500 naming the key', async () => {
  const inner = new MemoryStore();
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  await new EncryptingStore(inner, config(k1), silentLogger).create(SECRET, value('hunter2'));
  const rotated = new EncryptingStore(inner, config(k2, k1), silentLogger);
  const read = (await rotated.get(SECRET))!;
  assert.equal(read.stale, true);
  assert.deepEqual(read.value, value('hunter2'));
  await rotated.update(SECRET, read.value, read.modRevision);
  assert.equal((await rotated.get(SECRET))!.stale, undefined);

  const lost = new EncryptingStore(inner, config(k1), silentLogger);
  await assert.rejects(lost.get(SECRET), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status.code, 500);
    assert.equal(
      err.status.message,
      `Internal error occurred: unable to transform key "${SECRET}": no matching key was found for the provided AES transformer`,
    );
    return true;
  });
  await inner.close();
});
