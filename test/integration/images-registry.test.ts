/**
 * Pulls from the real registry CI starts (TUGBOAT_TEST_REGISTRY=127.0.0.1:PORT, filled by
 * scripts/build-test-images.sh): OCI and Docker-schema images, index selection, shared layers downloaded
 * and unpacked once, rm keeping shared layers, overlayfs stacking, archive import, GC by threshold.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeClock } from '../../src/util/clock.js';
import { ImageStore, LocalImageService, importArchive } from '../../src/kubelet/images/index.js';

const run = promisify(execFile);
const REGISTRY = process.env.TUGBOAT_TEST_REGISTRY ?? '';
const isRoot = process.geteuid?.() === 0;

async function registrySkipReason(): Promise<string | false> {
  if (!REGISTRY) return 'TUGBOAT_TEST_REGISTRY is not set (CI starts a registry and builds the test images)';
  try {
    const res = await fetch(`http://${REGISTRY}/v2/tugboat-test/busybox/tags/list`, {
      signal: AbortSignal.timeout(3000),
    });
    if (res.status !== 200) return `registry ${REGISTRY} has no tugboat-test/busybox (HTTP ${res.status})`;
  } catch (err) {
    return `registry ${REGISTRY} is unreachable: ${(err as Error).message}`;
  }
  return false;
}
const skip = await registrySkipReason();
if (skip) console.log(`# skipping registry tests: ${skip}`);

async function hasCommand(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args).then(
    () => true,
    () => false,
  );
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});
async function tempDir(tag: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `tugboat-images-${tag}-${process.pid}-`));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}
async function newService(opts: { platform?: { os: string; architecture: string }; registry?: string } = {}) {
  const root = await tempDir('store');
  const service = new LocalImageService({
    root,
    clock: new FakeClock(),
    ...(opts.platform ? { platform: opts.platform } : {}),
  });
  return { service, root };
}
const ref = (name: string, host = REGISTRY): string => `${host}/tugboat-test/${name}:latest`;

/** A pass-through proxy in front of the registry that counts blob downloads by digest. */
async function countingProxy(): Promise<{ host: string; blobGets: Map<string, number> }> {
  const blobGets = new Map<string, number>();
  const [targetHost, targetPort] = REGISTRY.split(':');
  const server: Server = createServer((req, res) => {
    const digest = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
    if (digest) blobGets.set(digest, (blobGets.get(digest) ?? 0) + 1);
    const upstream = request(
      { host: targetHost, port: Number(targetPort), path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, blobGets };
}

void test(
  'OCI and Docker schema 2 manifests of one image give one image id and layers',
  { skip },
  async () => {
    const { service } = await newService();
    const oci = await service.pullImage({ image: ref('busybox') });
    const docker = await service.pullImage({ image: ref('busybox-v2s2') });
    assert.equal(oci, docker);
    const status = await service.imageStatus({ image: 'sha256:' + oci.slice(7) });
    assert.deepEqual(status?.repoTags.sort(), [ref('busybox'), ref('busybox-v2s2')].sort());
    assert.equal(status?.repoDigests.length, 2);
    assert.ok(status.sizeBytes > 500_000);

    const { layerDirs, config } = await service.layers(oci);
    assert.equal(layerDirs.length, 2);
    assert.deepEqual(config.entrypoint, ['httpd']);
    assert.deepEqual(config.cmd, ['-f', '-p', '8080', '-h', '/www']);
    assert.ok((await lstat(join(layerDirs[0]!, 'bin/busybox'))).isFile());
    assert.ok((await lstat(join(layerDirs[0]!, 'bin/sh'))).isSymbolicLink());
    assert.match(await readFile(join(layerDirs[1]!, 'www/index.html'), 'utf8'), /tugboat-test busybox/);
    const top = await service.store.layer((await service.store.getById(oci))!.layers[1]!.diffId);
    assert.deepEqual(top?.whiteouts, ['etc/tugboat-base-only']);
    if (isRoot) {
      const wh = await lstat(join(layerDirs[1]!, 'etc/tugboat-base-only'));
      assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'an overlayfs whiteout');
    }
  },
);

void test(
  'an index resolves to the linux/amd64 manifest, or to the entry of another platform',
  { skip },
  async () => {
    const amd64 = await newService({ platform: { os: 'linux', architecture: 'amd64' } });
    const arm64 = await newService({ platform: { os: 'linux', architecture: 'arm64' } });
    const busybox = await amd64.service.pullImage({ image: ref('busybox') });
    const crash = await arm64.service.pullImage({ image: ref('crash') });
    assert.equal(await amd64.service.pullImage({ image: ref('multiarch') }), busybox);
    assert.equal(await arm64.service.pullImage({ image: ref('multiarch') }), crash);
    const s390x = await newService({ platform: { os: 'linux', architecture: 's390x' } });
    await assert.rejects(
      s390x.service.pullImage({ image: ref('multiarch') }),
      /no manifest for linux\/s390x/,
    );
  },
);

void test(
  'concurrent pulls download and unpack every shared layer once; rm keeps shared layers',
  { skip },
  async () => {
    const proxy = await countingProxy();
    const { service, root } = await newService();
    const names = ['busybox', 'busybox', 'crash', 'slow-start', 'memory-hog', 'busybox-v2s2'];
    const ids = await Promise.all(names.map((n) => service.pullImage({ image: ref(n, proxy.host) })));
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[0], ids[5]);
    const base = (await service.store.getById(ids[0]!))!.layers[0]!;
    assert.equal(proxy.blobGets.get(base.digest), 1, 'the base layer blob was downloaded once');
    // Layer blobs once each (config blobs are small and fetched once per reference).
    const layerDigests = new Set<string>();
    for (const id of new Set(ids))
      for (const l of (await service.store.getById(id))!.layers) layerDigests.add(l.digest);
    assert.equal(layerDigests.size, 5);
    for (const digest of layerDigests) assert.equal(proxy.blobGets.get(digest), 1, `layer ${digest}`);
    const before = [...proxy.blobGets.values()].reduce((a, b) => a + b, 0);
    await service.pullImage({ image: ref('crash', proxy.host) });
    assert.equal(
      [...proxy.blobGets.values()].reduce((a, b) => a + b, 0),
      before,
      'a re-pull fetches no blobs',
    );
    const layerDirs = await readdir(join(root, 'layers', 'sha256'));
    assert.equal(layerDirs.length, 5, 'one shared base + four image layers');

    const busyboxTop = (await service.store.getById(ids[0]!))!.layers[1]!.diffId;
    await service.removeImage({ image: ref('busybox', proxy.host) });
    await service.removeImage({ image: ref('busybox', proxy.host) }); // idempotent
    assert.equal(await service.imageStatus({ image: ids[0]! }), null, 'all tags of the image are gone');
    assert.equal(await service.store.layer(busyboxTop), undefined, 'its own layer is gone');
    assert.ok(await service.store.layer(base.diffId), 'the shared base layer stays');
    const crash = await service.layers(ids[2]!);
    assert.ok((await lstat(join(crash.layerDirs[0]!, 'bin/busybox'))).isFile());
  },
);

void test(
  'layers stack with overlayfs: whiteouts hide lower files',
  { skip: skip || (!isRoot && 'needs root to mount overlayfs') },
  async () => {
    const { service } = await newService();
    const id = await service.pullImage({ image: ref('busybox') });
    const { layerDirs } = await service.layers(id);
    const work = await tempDir('overlay');
    const [upper, wd, merged] = ['upper', 'work', 'merged'].map((d) => join(work, d));
    for (const d of [upper!, wd!, merged!]) await mkdir(d);
    const lower = [...layerDirs].reverse().join(':');
    await run('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${wd}`,
      merged!,
    ]);
    try {
      assert.match(await readFile(join(merged!, 'www/index.html'), 'utf8'), /tugboat-test busybox/);
      assert.ok((await lstat(join(merged!, 'bin/busybox'))).isFile());
      await assert.rejects(lstat(join(merged!, 'etc/tugboat-base-only')), { code: 'ENOENT' });
      assert.match(await readFile(join(merged!, 'etc/passwd'), 'utf8'), /^root:x:0:0/);
    } finally {
      await run('umount', [merged!]);
    }
  },
);

void test(
  'imports skopeo OCI archives and docker-save tarballs',
  { skip: skip || (!(await hasCommand('skopeo', ['--version'])) && 'skopeo is not installed') },
  async () => {
    const { service } = await newService();
    const busybox = await service.pullImage({ image: ref('busybox') });
    const crash = await service.pullImage({ image: ref('crash') });
    const dir = await tempDir('archives');
    const ociFile = join(dir, 'busybox-oci.tar');
    const dockerFile = join(dir, 'crash-docker.tar');
    await run('skopeo', [
      'copy',
      '-q',
      '--src-tls-verify=false',
      `docker://${ref('busybox')}`,
      `oci-archive:${ociFile}:example.com/imported/busybox:1`,
    ]);
    await run('skopeo', [
      'copy',
      '-q',
      '--src-tls-verify=false',
      `docker://${ref('crash')}`,
      `docker-archive:${dockerFile}:imported/crash:saved`,
    ]);

    const store = new ImageStore(await tempDir('import'), { clock: new FakeClock() });
    await store.init();
    const [fromOci] = await importArchive(store, ociFile);
    const [fromDocker] = await importArchive(store, dockerFile);
    assert.equal(fromOci?.id, busybox);
    assert.deepEqual(fromOci?.repoTags, ['example.com/imported/busybox:1']);
    assert.equal(fromDocker?.id, crash);
    assert.deepEqual(fromDocker?.repoTags, ['docker.io/imported/crash:saved']);
    assert.equal((await readdir(join(store.root, 'layers', 'sha256'))).length, 3, 'the base layer is shared');
    assert.ok((await store.find('example.com/imported/busybox:1'))?.layers.length === 2);
    assert.deepEqual(await readdir(join(store.root, 'tmp')), [], 'the extracted archive is cleaned up');
    const crashLayers = (await store.getById(crash))!.layers;
    assert.match(await readFile(join(store.layerDir(crashLayers[1]!.diffId), 'bin/crash'), 'utf8'), /exit 1/);
  },
);

void test('GC at the high threshold removes unused images, least recently used first', { skip }, async () => {
  const clock = new FakeClock();
  const root = await tempDir('gc');
  const service = new LocalImageService({ root, clock });
  const ids: Record<string, string> = {};
  for (const n of ['busybox', 'crash', 'slow-start', 'memory-hog']) {
    ids[n] = await service.pullImage({ image: ref(n) });
    clock.advance(1000);
  }
  await service.layers(ids.busybox!); // used by a container just now
  const capacity = (await service.store.usage()).bytes + 1000;
  const measure = async () => ({
    capacityBytes: capacity,
    availableBytes: capacity - (await service.store.usage()).bytes,
  });
  // The base layer is most of the bytes: GC must remove every image not in use, but keep the in-use one.
  const result = await service.collectGarbage(
    { highThresholdPercent: 90, lowThresholdPercent: 50 },
    new Set([ids['slow-start']!]),
    measure,
  );
  assert.deepEqual(result.removed, [ids.crash, ids['memory-hog'], ids.busybox]);
  assert.equal(result.insufficient, true, 'the in-use image holds the base layer');
  assert.deepEqual(
    (await service.listImages()).map((i) => i.id),
    [ids['slow-start']],
  );
  const fs = await service.imageFsInfo();
  assert.equal(fs[0]?.mountpoint, root);
  assert.ok(fs[0].usedBytes > 500_000 && fs[0].capacityBytes! > fs[0].usedBytes);
});
