import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../util/wait.js';

const fixture = fileURLToPath(new URL('./testing/component-fixture.ts', import.meta.url));

const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

void test('a component that holds no handle (a standby replica) runs until SIGTERM, then stops', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-component-'));
  const file = join(dir, 'kubeconfig.yaml');
  await writeFile(file, kubeconfig);
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = once(child, 'exit');
  try {
    await waitFor(() => out.includes('READY'), { timeoutMs: 20_000, message: 'fixture started' });
    // Long enough for a process with nothing keeping its event loop alive to have exited.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(child.exitCode, null, `still running:\n${out}`);
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, out);
    assert.match(out, /STOPPED/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
