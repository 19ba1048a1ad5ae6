import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'tugboat.js');
// The launcher finds node on PATH, as npx's does: put this one first.
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;

/**
 * Starts `tugboat server` by executing bin/tugboat.js itself, as `npx tugboat` does, and reads its environment
 * and command line.
 */
async function serverProcess(
  env: Record<string, string>,
): Promise<{ env: Map<string, string>; argv: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-launcher-'));
  const args = ['server', '--disable-agent', '--data-dir', dir, '--bind-address', '127.0.0.1'];
  const child = spawn(bin, [...args, '--https-listen-port', '0'], {
    env: { ...process.env, PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (c: Buffer): void => {
    output += c.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  try {
    // The shell execs node in the same process: once the server serves, the environment is its own.
    await waitFor(() => output.includes('API server serving'), {
      timeoutMs: 30_000,
      message: 'the server did not start',
    });
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'latin1').split('\0');
    return {
      env: new Map(
        environ.filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
      argv: readFileSync(`/proc/${child.pid}/cmdline`, 'latin1').split('\0').filter(Boolean),
    };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('bin/tugboat.js run as a program caps malloc arenas at two, unless the caller set a number', async () => {
  const { env, argv } = await serverProcess({ MALLOC_ARENA_MAX: '' });
  assert.equal(env.get('MALLOC_ARENA_MAX'), '2');
  const chosen = await serverProcess({ MALLOC_ARENA_MAX: '6' });
  assert.equal(chosen.env.get('MALLOC_ARENA_MAX'), '6');
  // Node's flags come before the script; the command's arguments after it, unchanged.
  assert.deepEqual(argv.slice(1, 3), ['--no-short-builtin-calls', bin]);
  assert.deepEqual(argv.slice(3, 5), ['server', '--disable-agent']);
});
