import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { waitFor } from '../../../util/wait.js';
import { isAlive } from '../common/proc.js';
import { pidNamespacePath, startPidHolder, stopPidHolder } from './pid-holder.js';

const skip =
  process.getuid?.() !== 0
    ? 'a new PID namespace needs root'
    : spawnSync('sh', ['-c', 'command -v catatonit && command -v nsenter']).status !== 0
      ? 'catatonit or nsenter missing'
      : undefined;
if (skip) console.log(`# pid-holder tests skipped: ${skip}`);

describe('the shared PID namespace holder', { skip: skip ?? false }, () => {
  it('is PID 1 of a new namespace that other processes can join, and takes them down with it', async () => {
    const id = `test-${process.pid}-a`;
    const holder = await startPidHolder(id);
    try {
      assert.notEqual(await readlink(pidNamespacePath(holder)), await readlink('/proc/self/ns/pid'));
      // The holder is known from its fork; it execs catatonit a moment later.
      const comm = async (): Promise<string> => (await readFile(`/proc/${holder.pid}/comm`, 'utf8')).trim();
      await waitFor(async () => (await comm()) === 'catatonit', {
        timeoutMs: 5000,
        message: 'catatonit runs',
      });
      const seen = spawnSync('nsenter', [`--pid=${pidNamespacePath(holder)}`, 'sh', '-c', 'echo $$'], {
        encoding: 'utf8',
      });
      assert.equal(seen.status, 0, seen.stderr);
      assert.ok(Number(seen.stdout.trim()) > 1, `a joined process is not PID 1 (got ${seen.stdout})`);
      assert.equal(await isAlive(holder), true);
    } finally {
      await stopPidHolder(id, holder);
    }
    await waitFor(async () => !(await isAlive(holder)), { timeoutMs: 5000, message: 'holder gone' });
    assert.equal(await isAlive(holder), false);
  });

  it('is found by its environment when its pid never reached the record', async () => {
    const id = `test-${process.pid}-b`;
    const holder = await startPidHolder(id);
    await stopPidHolder(id, undefined);
    await waitFor(async () => !(await isAlive(holder)), { timeoutMs: 5000, message: 'holder gone' });
  });
});
