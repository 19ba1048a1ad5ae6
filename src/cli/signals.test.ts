import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./testing/signal-fixture.ts', import.meta.url));

/** Start the fixture and wait until it reports READY (or exits). */
async function start(dataDir: string, mode = ''): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  await waitForOutput(child, () => out, 'READY');
  return { child, output: () => out };
}

function waitForOutput(child: ChildProcess, output: () => string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (output().includes(text)) {
        child.stdout?.off('data', check);
        child.stderr?.off('data', check);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (): void => reject(new Error(`exited before printing ${text}:\n${output()}`));
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

void test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-sig-'));
  try {
    const { child, output } = await start(dir);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, output());
    assert.match(output(), /received SIGTERM/);
    assert.match(output(), /stopped/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a second signal exits at once even when shutdown hangs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-sig-'));
  try {
    const { child, output } = await start(dir, 'hang');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await waitForOutput(child, output, 'shutting down');
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 1, output());
    assert.match(output(), /received SIGINT again: exiting now/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
