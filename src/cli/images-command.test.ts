import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDockerSave, makeLayer, makeOciArchive } from '../kubelet/images/testing/tar-fixtures.js';
import { main, type CliIo } from './main.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function fakeIo(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    env: {},
    uid: 1000,
    home: join(cwd, 'home'),
    cwd,
  };
  return io;
}

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(cwd);
  const code = await main(['images', ...argv], io);
  return { code, out: io.out, err: io.err };
}

void test('images import, ls and rm operate on DATA_DIR/agent/images', async () => {
  const cwd = await mkdtemp(join(tmpdir(), `tugboat-images-cli-${process.pid}-`));
  dirs.push(cwd);
  const base = await makeLayer([{ name: 'bin/tool', content: 'tool', mode: 0o755 }]);
  const top = await makeLayer([{ name: 'etc/app.conf', content: 'x=1' }]);
  const saved = await makeDockerSave(['app:1.0'], [base, top]);
  const oci = await makeOciArchive('registry.example.com/team/web:2', [base]);
  await writeFile(join(cwd, 'saved.tar'), saved.tar);
  await writeFile(join(cwd, 'oci.tar'), oci.tar);

  assert.deepEqual(await run(cwd, 'ls', '-d', 'data'), {
    code: 0,
    out: 'IMAGE   TAG   IMAGE ID   SIZE\n',
    err: '',
  });
  const imported = await run(cwd, 'import', '--data-dir', 'data', 'saved.tar', 'oci.tar');
  assert.equal(imported.code, 0, imported.err);
  assert.match(
    imported.out,
    /^imported docker\.io\/library\/app:1\.0 [0-9a-f]{12}\nimported registry\.example\.com\/team\/web:2 /,
  );

  const ls = await run(cwd, 'ls', '-d', 'data');
  const lines = ls.out.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, new RegExp(`^docker.io/library/app +1.0 +${saved.id.slice(7, 19)} +\\d`));
  assert.match(lines[2]!, new RegExp(`^registry.example.com/team/web +2 +${oci.id.slice(7, 19)} +\\d`));
  assert.equal((await run(cwd, 'ls', '-q', '-d', 'data')).out, `${saved.id}\n${oci.id}\n`);
  const layers = join(cwd, 'data', 'agent', 'images', 'layers', 'sha256');
  assert.equal((await readdir(layers)).length, 2, 'the base layer is shared');

  assert.deepEqual(await run(cwd, 'rm', '-d', 'data', 'app:1.0'), {
    code: 0,
    out: 'removed app:1.0\n',
    err: '',
  });
  assert.deepEqual(await readdir(layers), [base.diffId.slice(7)], 'the shared layer stays');
  const again = await run(cwd, 'rm', '-d', 'data', 'app:1.0');
  assert.equal(again.code, 1);
  assert.match(again.err, /no such image: app:1.0/);
  assert.equal((await run(cwd, 'rm', '-d', 'data', oci.id)).code, 0);
  assert.deepEqual(await readdir(layers), []);
});

void test('images usage errors and help', async () => {
  const cwd = await mkdtemp(join(tmpdir(), `tugboat-images-cli-${process.pid}-`));
  dirs.push(cwd);
  const cases: [string[], RegExp][] = [
    [['bogus'], /^tugboat images: unknown images command "bogus"/],
    [['import'], /^tugboat images import: missing argument: FILE\.\.\./],
    [['rm'], /^tugboat images rm: missing argument/],
    [['ls', 'extra'], /^tugboat images ls: unexpected argument: extra/],
    [['ls', '--bogus'], /^tugboat images ls: Unknown option '--bogus'/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(cwd, ...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
  }
  const notArchive = join(cwd, 'x.tar');
  await writeFile(notArchive, Buffer.alloc(1024));
  const bad = await run(cwd, 'import', '-d', 'data', 'x.tar');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /neither an OCI image layout/);
  for (const argv of [['--help'], []])
    assert.match((await run(cwd, ...argv)).out, /Usage: tugboat images <command>/);
  assert.match((await run(cwd, 'import', '--help')).out, /Usage: tugboat images import \[flags\] FILE\.\.\./);
});
