import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../util/logger.js';
import { FakeRuntimeService } from './cri/fake/index.js';
import { collectGarbage } from './pod-kill.js';
import type { PodSyncDeps } from './pod-sync-deps.js';
import type { ObservedContainer, ObservedPod } from './runtime-state.js';

function ctr(id: string, state: ObservedContainer['state'], createdAt: number): ObservedContainer {
  return { id, name: 'app', state, restartCount: 0, hash: 'h', createdAt, image: 'i', imageRef: 'i' };
}

void test('GC removes older instances that never ran or lost their monitor, keeps the newest', async () => {
  const runtime = new FakeRuntimeService();
  const d = { runtime, logger: silentLogger } as unknown as PodSyncDeps;
  const observed: ObservedPod = {
    uid: 'u',
    sandboxes: [],
    containers: [ctr('new', 'running', 3), ctr('lost', 'unknown', 2), ctr('never', 'created', 1)],
  };
  await collectGarbage(d, observed);
  assert.deepEqual(
    runtime.callsOf('removeContainer').map((c) => c.args[0]),
    ['lost', 'never'],
  );
});

void test('GC leaves the newest instance alone even when it is unknown (the sync replaces it first)', async () => {
  const runtime = new FakeRuntimeService();
  const d = { runtime, logger: silentLogger } as unknown as PodSyncDeps;
  await collectGarbage(d, { uid: 'u', sandboxes: [], containers: [ctr('only', 'unknown', 1)] });
  assert.deepEqual(runtime.callsOf('removeContainer'), []);
});

void test('GC keeps one exited predecessor besides the newest instance, exited or not', async () => {
  for (const newest of ['running', 'exited'] as const) {
    const runtime = new FakeRuntimeService();
    const d = { runtime, logger: silentLogger } as unknown as PodSyncDeps;
    await collectGarbage(d, {
      uid: 'u',
      sandboxes: [],
      containers: [ctr('third', newest, 3), ctr('second', 'exited', 2), ctr('first', 'exited', 1)],
    });
    assert.deepEqual(
      runtime.callsOf('removeContainer').map((c) => c.args[0]),
      ['first'],
      `newest ${newest}`,
    );
  }
});

void test('GC after a restart in the same sync: the observed newest instance is the kept predecessor', async () => {
  const runtime = new FakeRuntimeService();
  const d = { runtime, logger: silentLogger } as unknown as PodSyncDeps;
  await collectGarbage(
    d,
    { uid: 'u', sandboxes: [], containers: [ctr('second', 'exited', 2), ctr('first', 'exited', 1)] },
    new Set(['app']),
  );
  assert.deepEqual(
    runtime.callsOf('removeContainer').map((c) => c.args[0]),
    ['first'],
  );
});
