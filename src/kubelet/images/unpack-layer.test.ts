import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LayerFormatError, entryPath, unpackLayer } from './unpack-layer.js';
import { makeTar, type FixtureEntry } from './testing/tar-fixtures.js';

const isRoot = process.geteuid?.() === 0;
const hasSetfattr = (() => {
  try {
    execFileSync('getfattr', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `tugboat-unpack-${process.pid}-`));
  dirs.push(d);
  return d;
}

const LAYER: FixtureEntry[] = [
  { name: 'etc/', type: 'directory', mode: 0o755 },
  {
    name: 'etc/hosts',
    content: '127.0.0.1 localhost\n',
    mode: 0o644,
    uid: 1000,
    gid: 1001,
    mtime: new Date(1e12),
  },
  { name: './etc/hosts.link', type: 'link', linkname: 'etc/hosts' },
  { name: 'bin/busybox', content: 'ELF', mode: 0o755 },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: 'bin/su', content: 'su', mode: 0o4755 },
  { name: 'var/.wh.cache', content: '' },
  { name: 'opt/.wh..wh..opq', content: '' },
  { name: 'opt/new', content: 'new' },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'run/fifo', type: 'fifo', mode: 0o600 },
  { name: 'ro/', type: 'directory', mode: 0o555 },
  { name: 'ro/file', content: 'inside a read-only dir' },
];

void test('entry paths are normalized and may not leave the layer', () => {
  assert.equal(entryPath('./a//b/'), 'a/b');
  assert.equal(entryPath('/abs/x'), 'abs/x');
  assert.equal(entryPath('./'), '');
  assert.throws(() => entryPath('a/../../x'), LayerFormatError);
});

void test('unpacks files, links and modes; reports whiteouts; skips devices unprivileged', async () => {
  const dir = await freshDir();
  const result = await unpackLayer(Readable.from([await makeTar(LAYER)]), dir, { privileged: false });
  assert.deepEqual(result.whiteouts, ['var/cache']);
  assert.deepEqual(result.opaqueDirs, ['opt']);
  assert.equal(result.skippedDevices, 2);
  assert.equal(await readFile(join(dir, 'etc/hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal((await stat(join(dir, 'etc/hosts'))).mtimeMs, 1e12);
  assert.equal((await stat(join(dir, 'etc/hosts'))).ino, (await stat(join(dir, 'etc/hosts.link'))).ino);
  assert.equal(await readlink(join(dir, 'bin/sh')), 'busybox');
  assert.equal((await stat(join(dir, 'bin/busybox'))).mode & 0o7777, 0o755);
  assert.equal((await stat(join(dir, 'ro'))).mode & 0o7777, 0o555);
  assert.equal(await readFile(join(dir, 'ro/file'), 'utf8'), 'inside a read-only dir');
  await assert.rejects(lstat(join(dir, 'var/cache')), { code: 'ENOENT' });
  await assert.rejects(lstat(join(dir, 'dev/null')), { code: 'ENOENT' });
});

void test(
  'privileged: overlayfs whiteouts, opaque xattr, ownership, setuid, devices',
  { skip: !isRoot ? 'needs root' : !hasSetfattr ? 'needs getfattr/setfattr (package attr)' : false },
  async () => {
    const dir = await freshDir();
    await unpackLayer(Readable.from([await makeTar(LAYER)]), dir, { privileged: true });
    const wh = await lstat(join(dir, 'var/cache'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    const opaque = execFileSync('getfattr', [
      '--only-values',
      '-n',
      'trusted.overlay.opaque',
      join(dir, 'opt'),
    ]);
    assert.equal(opaque.toString(), 'y');
    const hosts = await stat(join(dir, 'etc/hosts'));
    assert.deepEqual([hosts.uid, hosts.gid], [1000, 1001]);
    assert.equal((await stat(join(dir, 'bin/su'))).mode & 0o7777, 0o4755);
    const devNull = await lstat(join(dir, 'dev/null'));
    assert.ok(devNull.isCharacterDevice());
    assert.equal(devNull.rdev, (1 << 8) | 3);
    assert.ok((await lstat(join(dir, 'run/fifo'))).isFIFO());
  },
);

void test('refuses entries that escape or go through a symlink, and dangling hard links', async () => {
  const cases: [FixtureEntry[], RegExp][] = [
    [[{ name: '../evil', content: 'x' }], /leaves the layer/],
    [
      [
        { name: 'lib', type: 'symlink', linkname: '/etc' },
        { name: 'lib/passwd', content: 'x' },
      ],
      /through non-directory "lib"/,
    ],
    [[{ name: 'a', type: 'link', linkname: 'missing' }], /not an earlier file/],
    [[{ name: 'a', type: 'link', linkname: '../../etc/passwd' }], /leaves the layer/],
  ];
  for (const [entries, re] of cases) {
    const dir = await freshDir();
    await assert.rejects(
      unpackLayer(Readable.from([await makeTar(entries)]), dir, { privileged: false }),
      re,
      entries[0]?.name,
    );
  }
});

void test('a later entry replaces an earlier one with the same name', async () => {
  const dir = await freshDir();
  await unpackLayer(
    Readable.from([
      await makeTar([
        { name: 'x', content: 'first' },
        { name: 'x', type: 'symlink', linkname: 'y' },
        { name: 'd/f', content: 'f' },
        { name: 'd', content: 'now a file' },
      ]),
    ]),
    dir,
    { privileged: false },
  );
  assert.equal(await readlink(join(dir, 'x')), 'y');
  assert.equal(await readFile(join(dir, 'd'), 'utf8'), 'now a file');
});
