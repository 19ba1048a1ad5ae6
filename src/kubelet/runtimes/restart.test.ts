/**
 * kill -9 of the agent: a container started by a process that then died by SIGKILL keeps running, and a new
 * runtime instance over the same state adopts it (status, logs, graceful stop, exit code, removal, no leaks).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RuntimeService } from '../cri/services.js';
import { waitFor } from '../../util/wait.js';
import { ProcessRuntime } from './process/runtime.js';
import { pidsMentioning } from './common/proc.js';
import { ociTestEnv } from './oci/testing-env.js';
import { BUSYBOX_IMAGE } from './oci/testing.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'restart-child.ts');
const env = await ociTestEnv('r');
const roots: string[] = [];

after(async () => {
  await env.cleanup();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function survivesKill(
  kind: 'oci' | 'process',
  make: (stateDir: string) => RuntimeService,
  leaks: (stateDir: string) => Promise<string[]>,
): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'tugboat-restart-'));
  roots.push(root);
  const stateDir = path.join(root, 'state');
  const logDir = path.join(root, 'logs');
  const args = [kind, stateDir, logDir, `${env.names.cgroupTop}/survivor`];
  if (kind === 'oci') {
    const layer = (await env.images.layers(BUSYBOX_IMAGE)).layerDirs[0]!;
    const d = env.detection!;
    args.push(
      layer,
      env.names.bridge,
      env.names.network,
      env.names.netnsPrefix,
      env.podCidr,
      JSON.stringify(d.runtime),
      d.conmonPath!,
    );
  }
  const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, ...args]).then(
    () => assert.fail('the child should die by SIGKILL'),
    (err: { signal?: string; stdout: string }) => err,
  );
  assert.equal(result.signal, 'SIGKILL');
  const { sandbox, container } = JSON.parse(result.stdout) as { sandbox: string; container: string };

  const rt = make(stateDir);
  assert.deepEqual(
    (await rt.listPodSandbox()).map((s) => s.id),
    [sandbox],
  );
  const status = await rt.containerStatus(container);
  assert.equal(status.state, 'running');
  await waitFor(async () => (await readFile(status.logPath, 'utf8')).includes('stdout F up'));
  await rt.stopContainer(container, 10);
  const stopped = await rt.containerStatus(container);
  assert.equal(stopped.state, 'exited');
  assert.equal(stopped.exitCode, 0);
  assert.match(await readFile(status.logPath, 'utf8'), /stdout F bye/);
  await rt.removePodSandbox(sandbox);
  assert.deepEqual(await leaks(stateDir), []);
}

void describe('restart after kill -9', () => {
  test('process runtime', () =>
    survivesKill(
      'process',
      (dir) => new ProcessRuntime({ stateDir: dir }),
      async (dir) => (await pidsMentioning(dir)).map((p) => `process ${p}`),
    ));
  test('oci runtime', { skip: env.skip ?? false }, () =>
    survivesKill(
      'oci',
      (dir) => env.make(dir),
      (dir) => env.leaks(dir),
    ),
  );
});
