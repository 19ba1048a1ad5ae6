import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImageLayerSource } from '../cri/services.js';
import { OciRuntime, ProcessRuntime, selectRuntime } from './index.js';
import { ociTestEnv } from './oci/testing-env.js';

const images: ImageLayerSource = { layers: () => Promise.reject(new Error('no images in this test')) };
const dataDir = await mkdtemp(path.join(tmpdir(), 'tugboat-select-'));
after(() => rm(dataDir, { recursive: true, force: true }));

test('process is chosen when asked for', async () => {
  const s = await selectRuntime({ kind: 'process', dataDir, images, podCidr: '10.42.0.0/24' });
  assert.equal(s.kind, 'process');
  assert.ok(s.runtime instanceof ProcessRuntime);
});

test('auto picks oci where it works and falls back to process with the reasons otherwise', async () => {
  const env = await ociTestEnv('i');
  const s = await selectRuntime({ kind: 'auto', dataDir, images, podCidr: '10.42.0.0/24' });
  if (env.skip) {
    assert.equal(s.kind, 'process');
    assert.ok(s.rejected.length > 0);
  } else {
    assert.equal(s.kind, 'oci');
    assert.ok(s.runtime instanceof OciRuntime);
    assert.equal((await s.runtime.version()).runtimeName, env.detection?.runtime?.name);
  }
  await env.cleanup();
});

test('oci asked for where it cannot work is an error naming why', async () => {
  const s = selectRuntime({
    kind: 'oci',
    dataDir,
    images,
    podCidr: '10.42.0.0/24',
    cniBinDir: path.join(dataDir, 'no-cni'),
  });
  await assert.rejects(s, /oci runtime is not usable here: .*CNI plugins missing/);
});
