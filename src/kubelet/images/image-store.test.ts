import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FakeClock } from '../../util/clock.js';
import { DigestMismatchError } from './digest-stream.js';
import { collectImageGarbage } from './gc.js';
import { ImageStore, type NewImage } from './image-store.js';
import { sha256Digest } from './manifest.js';
import { makeConfig, makeLayer, type FixtureLayer } from './testing/tar-fixtures.js';

const roots: string[] = [];
after(async () => {
  for (const d of roots) await rm(d, { recursive: true, force: true });
});
async function newStore(clock = new FakeClock()): Promise<ImageStore> {
  const root = await mkdtemp(join(tmpdir(), `tugboat-store-${process.pid}-`));
  roots.push(root);
  const store = new ImageStore(root, { clock, privileged: false });
  await store.init();
  return store;
}

const base = await makeLayer([{ name: 'bin/busybox', content: 'x'.repeat(5000), mode: 0o755 }]);
const appA = await makeLayer([{ name: 'app/a', content: 'a' }]);
const appB = await makeLayer([{ name: 'app/b', content: 'b' }]);

/** An image of the given layers; counts how often each layer blob is opened. */
function image(
  layers: FixtureLayer[],
  tags: string[],
  opens: Map<string, number> = new Map(),
  opts: { gzip?: boolean; corrupt?: boolean } = {},
): NewImage {
  const configBytes = makeConfig(layers, [tags[0] ?? 'x']);
  const manifestBytes = Buffer.from(JSON.stringify({ config: sha256Digest(configBytes), tags }));
  return {
    id: sha256Digest(configBytes),
    configBytes,
    manifestDigest: sha256Digest(manifestBytes),
    manifestBytes,
    runtime: { entrypoint: [], cmd: ['x'], env: [], workingDir: '/', user: '1000:1000' },
    layers: layers.map((l) => {
      const blob = opts.gzip === false ? l.tar : l.gz;
      return {
        diffId: l.diffId,
        digest: sha256Digest(blob),
        size: blob.length,
        open: () => {
          opens.set(l.diffId, (opens.get(l.diffId) ?? 0) + 1);
          const bytes = opts.corrupt
            ? Buffer.concat([blob.subarray(0, -1), Buffer.from([blob.at(-1)! ^ 1])])
            : blob;
          // Small chunks, so readers see a stream and not one buffer.
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += 512) chunks.push(bytes.subarray(i, i + 512));
          return Promise.resolve(Readable.from(chunks));
        },
      };
    }),
    repoTags: tags,
    repoDigests: [],
  };
}

void test('stores gzip and plain layers; concurrent adds of shared layers unpack each once', async () => {
  const store = await newStore();
  const opens = new Map<string, number>();
  const [a, b, a2] = await Promise.all([
    store.addImage(image([base, appA], ['r.io/a:1'], opens)),
    store.addImage(image([base, appB], ['r.io/b:1'], opens, { gzip: false })),
    store.addImage(image([base, appA], ['r.io/a:1'], opens)),
  ]);
  assert.equal(a.id, a2.id);
  assert.equal(opens.get(base.diffId), 1, 'the shared base layer was fetched once');
  assert.equal(opens.get(appA.diffId), 1);
  assert.equal((await readdir(join(store.root, 'layers', 'sha256'))).length, 3);
  assert.equal(await readFile(join(store.layerDir(appB.diffId), 'app/b'), 'utf8'), 'b');
  assert.equal((await store.list()).length, 2);
  assert.equal((await store.find('r.io/b:1'))?.id, b.id);
  assert.equal((await store.find(b.id))?.id, b.id);
  assert.equal((await store.find(b.id.slice(7, 19)))?.id, b.id, 'by a 12-digit id prefix');
  assert.equal(await store.find('r.io/c:1'), undefined);
});

void test('a corrupted blob is detected and leaves nothing behind', async () => {
  const store = await newStore();
  await assert.rejects(store.addImage(image([appA], ['r.io/a:1'], new Map(), { corrupt: true })), (err) => {
    // A flipped last gzip byte breaks the gzip trailer or the digest, depending on where it lands.
    return err instanceof DigestMismatchError || /gzip|unexpected end|incorrect/i.test(String(err));
  });
  const bad = image([appA], ['r.io/a:1']);
  bad.layers[0]!.diffId = sha256Digest('something else');
  await assert.rejects(store.addImage(bad), DigestMismatchError);
  assert.deepEqual(await readdir(join(store.root, 'layers', 'sha256')), []);
  assert.deepEqual(await readdir(join(store.root, 'tmp')), []);
  assert.deepEqual(await store.list(), []);
});

void test('remove keeps layers other images use, deletes the rest, and is idempotent', async () => {
  const store = await newStore();
  const a = await store.addImage(image([base, appA], ['r.io/a:1']));
  await store.addImage(image([base, appB], ['r.io/b:1']));
  assert.equal(await store.remove('r.io/a:1'), true);
  assert.equal(await store.remove(a.id), false);
  const left = await readdir(join(store.root, 'layers', 'sha256'));
  assert.deepEqual(left.sort(), [base.diffId, appB.diffId].map((d) => d.slice(7)).sort());
  assert.equal(await store.remove('r.io/b:1'), true);
  assert.deepEqual(await readdir(join(store.root, 'layers', 'sha256')), []);
  assert.deepEqual(await readdir(join(store.root, 'blobs', 'sha256')), []);
});

void test('a tag moves to the newly added image', async () => {
  const store = await newStore();
  const old = await store.addImage(image([appA], ['r.io/app:latest', 'r.io/app:v1']));
  const fresh = await store.addImage(image([appB], ['r.io/app:latest']));
  assert.equal((await store.find('r.io/app:latest'))?.id, fresh.id);
  assert.deepEqual((await store.getById(old.id))?.repoTags, ['r.io/app:v1']);
});

void test('GC removes least recently used unused images until below the low threshold', async () => {
  const clock = new FakeClock();
  const store = await newStore(clock);
  const img1 = await store.addImage(image([base, appA], ['r.io/one:1']));
  clock.advance(1000);
  const img2 = await store.addImage(image([appB], ['r.io/two:1']));
  clock.advance(1000);
  const img3 = await store.addImage(image([appA], ['r.io/three:1']));
  clock.advance(1000);
  await store.touch(img1.id); // img1 used most recently: img2 is the least recently used

  // A disk whose only content is the store: capacity chosen so the store is at 100%.
  const capacity = (await store.usage()).bytes;
  const measure = async (): Promise<{ capacityBytes: number; availableBytes: number }> => ({
    capacityBytes: capacity,
    availableBytes: capacity - (await store.usage()).bytes,
  });
  const policy = { highThresholdPercent: 90, lowThresholdPercent: 80 };

  const first = await collectImageGarbage(store, policy, new Set([img3.id]), clock, measure);
  assert.equal(first.usagePercent, 100);
  // img2 goes first (LRU); freeing its small layer is not enough, so img1 follows; img3 is in use.
  assert.deepEqual(first.removed, [img2.id, img1.id]);
  assert.deepEqual(
    (await store.list()).map((i) => i.id),
    [img3.id],
  );
  assert.ok(await store.layer(appA.diffId), 'the layer img3 shares with img1 stays');

  const second = await collectImageGarbage(store, policy, new Set(), clock, measure);
  assert.deepEqual(second.removed, [], 'below the high threshold nothing is collected');
});

void test('GC keeps images younger than minAge and reports when it cannot reach the low threshold', async () => {
  const clock = new FakeClock();
  const store = await newStore(clock);
  await store.addImage(image([appA], ['r.io/young:1']));
  const full = (): Promise<{ capacityBytes: number; availableBytes: number }> =>
    Promise.resolve({ capacityBytes: 100, availableBytes: 5 });
  const r = await collectImageGarbage(
    store,
    { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 60_000 },
    new Set(),
    clock,
    full,
  );
  assert.deepEqual(r, { usagePercent: 95, removed: [], insufficient: true });
});

void test('layers and blobs no image uses are pruned (leftovers of a crash)', async () => {
  const store = await newStore();
  const a = await store.addImage(image([base, appA], ['r.io/a:1']));
  await store.addImage(image([base, appB], ['r.io/b:1']));
  // A crash right after the record was deleted: the layers stay behind.
  await rm(join(store.root, 'images', `${a.id.slice(7)}.json`));
  assert.deepEqual(await store.pruneUnreferenced(), { layers: 1, blobs: 2 });
  assert.equal(await store.layer(appA.diffId), undefined);
  assert.ok(await store.layer(base.diffId));
  assert.deepEqual(await store.pruneUnreferenced(), { layers: 0, blobs: 0 });
});
