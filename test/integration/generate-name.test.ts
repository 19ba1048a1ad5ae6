import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { KeyExistsError, type KeyValue } from '../../src/store/types.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

/** A store where the next `collisions` creates of a generated ConfigMap name find the name taken. */
class CollidingStore extends MemoryStore {
  collisions = 0;
  attempts: string[] = [];
  override create(key: string, value: Buffer): Promise<KeyValue> {
    if (key.includes('/configmaps/default/gen-')) {
      this.attempts.push(key);
      if (this.collisions > 0) {
        this.collisions--;
        return Promise.reject(new KeyExistsError(key));
      }
    }
    return super.create(key, value);
  }
}

describe('generateName collisions', () => {
  const store = new CollidingStore();
  let t: TestServer | undefined;
  after(async () => t?.close());
  const create = async () => {
    t ??= await startTestServer({ store });
    store.attempts = [];
    return call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'gen-' },
    });
  };

  test('a create retries with a new name, up to 8 attempts in all as upstream', async () => {
    store.collisions = 7;
    const ok = await create();
    assert.equal(ok.status, 201);
    assert.equal(store.attempts.length, 8);
    assert.equal(new Set(store.attempts).size, 8, 'each attempt draws a new name');
    assert.equal(store.attempts.at(-1)?.endsWith(`/${ok.json.metadata.name}`), true);
  });

  test('the eighth collision reaches the client as AlreadyExists', async () => {
    store.collisions = 8;
    const taken = await create();
    assert.equal(taken.status, 409);
    assert.equal(taken.json.reason, 'AlreadyExists');
    assert.equal(store.attempts.length, 8);
  });
});
