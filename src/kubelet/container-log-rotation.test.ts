import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import type { Container, ContainerStatus } from './cri/types.js';
import { ContainerLogRotator, rotationSuffix } from './container-log-rotation.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A runtime with one running container whose "monitor" starts a new log file when reopened. */
async function setup(reopenFails = false) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tugboat-logrot-'));
  dirs.push(dir);
  const logPath = path.join(dir, '0.log');
  const reopened: string[] = [];
  const runtime = {
    listContainers: () => Promise.resolve([{ id: 'c1' } as Container]),
    containerStatus: () => Promise.resolve({ id: 'c1', logPath } as ContainerStatus),
    reopenContainerLog: async (id: string) => {
      if (reopenFails) throw new Error('monitor gone');
      reopened.push(id);
      await writeFile(logPath, '');
    },
  };
  const clock = new FakeClock(Date.parse('2026-12-04T11:25:16Z'));
  const rotator = new ContainerLogRotator({
    runtime,
    policy: { maxSizeBytes: 100, maxFiles: 3 },
    clock,
    logger: silentLogger,
  });
  return { dir, logPath, reopened, clock, rotator };
}

void test('the suffix is Go layout 20060102-150405 in UTC', () => {
  assert.equal(rotationSuffix(Date.parse('2026-12-04T01:02:03.456Z')), '20261204-010203');
});

void test('a log past the limit is rotated; older rotations are gzipped, and beyond maxFiles removed', async () => {
  const { dir, logPath, reopened, clock, rotator } = await setup();
  await writeFile(logPath, 'small\n');
  await rotator.runOnce();
  assert.deepEqual(reopened, [], 'under the limit nothing happens');

  const rounds = ['a', 'b', 'c', 'd'];
  for (const r of rounds) {
    await writeFile(logPath, r.repeat(150));
    await rotator.runOnce();
    clock.advance(1000);
  }
  assert.equal(reopened.length, 4);
  const files = (await readdir(dir)).sort();
  // maxFiles 3: the live file, the newest rotation as is, one older gzipped; the two oldest are gone.
  assert.deepEqual(files, ['0.log', '0.log.20261204-112518.gz', '0.log.20261204-112519']);
  assert.equal(await readFile(path.join(dir, '0.log.20261204-112519'), 'utf8'), 'd'.repeat(150));
  const gz = await readFile(path.join(dir, '0.log.20261204-112518.gz'));
  assert.equal(gunzipSync(gz).toString(), 'c'.repeat(150));
});

void test('when the runtime cannot reopen the log, the file is put back', async () => {
  const { dir, logPath, rotator } = await setup(true);
  await writeFile(logPath, 'x'.repeat(200));
  await rotator.runOnce();
  assert.deepEqual(await readdir(dir), ['0.log']);
  assert.equal((await readFile(logPath, 'utf8')).length, 200);
});
