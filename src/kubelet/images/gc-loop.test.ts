import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../util/logger.js';
import { FakeImageService } from '../cri/fake/fake-image.js';
import type { Container } from '../cri/types.js';
import { ImageGcLoop } from './gc-loop.js';

function container(id: string, image: string, imageRef: string): Container {
  return {
    id,
    podSandboxId: 'sb',
    metadata: { name: id, attempt: 0 },
    image: { image },
    imageRef,
    state: 'exited',
    createdAt: 0,
    labels: {},
    annotations: {},
  };
}

void test('images of every container, by id or by reference, are in use; an insufficient collection is reported', async () => {
  const images = new FakeImageService();
  const web = images.addImage('r.io/web:1');
  const old = images.addImage('r.io/old:1');
  images.addImage('r.io/unused:1');
  const containers = [
    container('a', web.id, web.id),
    container('b', 'r.io/old:1', 'r.io/old:1'), // a record from before containers named their image by id
    container('c', 'r.io/gone:1', 'r.io/gone:1'), // its image is no longer present
  ];
  const seen: ReadonlySet<string>[] = [];
  const failures: string[] = [];
  const loop = new ImageGcLoop({
    runtime: { listContainers: () => Promise.resolve(containers) },
    images,
    collect: (inUse) => {
      seen.push(inUse);
      return Promise.resolve({ usagePercent: 93, removed: ['x'], insufficient: true });
    },
    logger: silentLogger,
    onFailure: (m) => failures.push(m),
  });
  await loop.runOnce();
  assert.deepEqual([...seen[0]!].sort(), [web.id, old.id].sort());
  assert.equal(failures.length, 1);
  assert.match(failures[0]!, /93%.*1 unused image/);
});

void test('a failing collection is reported and does not stop the loop; concurrent runs share one collection', async () => {
  let calls = 0;
  const failures: string[] = [];
  const loop = new ImageGcLoop({
    runtime: { listContainers: () => Promise.resolve([]) },
    images: new FakeImageService(),
    collect: async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      if (calls === 1) throw new Error('disk unreadable');
      return { usagePercent: 10, removed: [], insufficient: false };
    },
    logger: silentLogger,
    onFailure: (m) => failures.push(m),
  });
  await Promise.all([loop.runOnce(), loop.runOnce()]);
  assert.equal(calls, 1);
  assert.deepEqual(failures, ['Image garbage collection failed: disk unreadable']);
  await loop.runOnce();
  assert.equal(calls, 2);
  assert.equal(failures.length, 1);
});
