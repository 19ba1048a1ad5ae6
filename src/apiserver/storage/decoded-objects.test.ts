import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredObject } from '../../api/meta.js';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { DecodedObjects } from './decoded-objects.js';
import { encodeObject, ObjectStorage } from './object-storage.js';

const CONFIGMAPS = { group: '', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

type ConfigMap = StoredObject & { data: Record<string, string> };

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '', creationTimestamp: '' },
    data,
  };
}

/** The data of an object read back, which must be there. */
function dataOf(obj: StoredObject | undefined): Record<string, string> {
  assert.ok(obj, 'object expected');
  return (obj as ConfigMap).data;
}

test('recall hands out copies of the object as remembered, for its revision only', () => {
  const cache = new DecodedObjects(10);
  const original = configMap('a', { k: 'v1' });
  cache.remember('/a', 7, original);
  original.data.k = 'changed by the writer afterwards';
  const first = dataOf(cache.recall('/a', 7));
  assert.equal(first.k, 'v1');
  first.k = 'changed by a reader';
  assert.equal(dataOf(cache.recall('/a', 7)).k, 'v1');
  assert.equal(cache.recall('/a', 8), undefined);
  assert.equal(cache.recall('/b', 7), undefined);
  cache.forget('/a');
  assert.equal(cache.recall('/a', 7), undefined);
});

test('the oldest write is dropped past capacity; rewriting a key makes it the newest', () => {
  const cache = new DecodedObjects(2);
  cache.remember('/a', 1, configMap('a', {}));
  cache.remember('/b', 2, configMap('b', {}));
  cache.remember('/a', 3, configMap('a', {}));
  cache.remember('/c', 4, configMap('c', {}));
  assert.equal(cache.size, 2);
  assert.equal(cache.recall('/b', 2), undefined);
  assert.ok(cache.recall('/a', 3));
  assert.ok(cache.recall('/c', 4));
});

test('ObjectStorage reads back what was written, and never a copy older than the store', async () => {
  const store = new MemoryStore();
  const storage = new ObjectStorage(store);
  const created = await storage.create(CONFIGMAPS, configMap('cm', { k: 'created' }));
  dataOf(created).k = 'mutated by the caller';
  const read = await storage.get(CONFIGMAPS, 'default', 'cm');
  assert.equal(dataOf(read).k, 'created');
  assert.equal(read?.metadata.resourceVersion, created.metadata.resourceVersion);

  // A write that does not go through this ObjectStorage (another API server on the same etcd, say).
  const key = '/registry/core/configmaps/default/cm';
  await store.update(
    key,
    encodeObject(configMap('cm', { k: 'written elsewhere' })),
    Number(read.metadata.resourceVersion),
  );
  const after = (await storage.get(CONFIGMAPS, 'default', 'cm')) as unknown as { data: { k: string } };
  assert.equal(after.data.k, 'written elsewhere');

  const deleted = await storage.delete(CONFIGMAPS, 'default', 'cm');
  assert.equal((deleted as unknown as { data: { k: string } }).data.k, 'written elsewhere');
  assert.equal(await storage.get(CONFIGMAPS, 'default', 'cm'), undefined);
  await storage.create(CONFIGMAPS, configMap('cm', { k: 'again' }));
  const recreated = (await storage.get(CONFIGMAPS, 'default', 'cm')) as unknown as { data: { k: string } };
  assert.equal(recreated.data.k, 'again');
});
