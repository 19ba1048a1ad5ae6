import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { silentLogger } from '../util/logger.js';
import { waitFor } from '../util/wait.js';
import { PodWorkers, type PodSyncHandler } from './pod-workers.js';

function pod(version: string, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'n', uid: 'u', resourceVersion: version, ...extra },
    spec: { containers: [], terminationGracePeriodSeconds: 9 },
  };
}

function recorder(opts: { terminalAfter?: number; failTimes?: number } = {}) {
  const log: string[] = [];
  let release: (() => void) | undefined;
  let failures = opts.failTimes ?? 0;
  const handler: PodSyncHandler = {
    syncPod: async (p) => {
      log.push(`sync:${p.metadata!.resourceVersion}`);
      if (!release) await new Promise<void>((r) => (release = r));
      if (failures > 0) {
        failures--;
        throw new Error('boom');
      }
      return { terminal: opts.terminalAfter !== undefined && log.length >= opts.terminalAfter, retry: false };
    },
    syncTerminatingPod: (p, grace) => {
      log.push(`terminating:${p.metadata!.resourceVersion}:${grace}`);
      return Promise.resolve();
    },
    syncTerminatedPod: (p, removed) => {
      log.push(`terminated:${p.metadata!.resourceVersion}:${removed}`);
      return Promise.resolve();
    },
  };
  return { log, handler, open: () => release?.(), setOpen: () => (release = () => {}) };
}

void test('updates during a sync coalesce into one more sync with the latest pod', async () => {
  const r = recorder();
  const w = new PodWorkers({ handler: r.handler, logger: silentLogger });
  w.update(pod('1'));
  await waitFor(() => r.log.length === 1);
  w.update(pod('2'));
  w.update(pod('3'));
  w.update(pod('4'));
  r.open();
  await waitFor(() => r.log.length === 2);
  await w.idle();
  assert.deepEqual(r.log, ['sync:1', 'sync:4']);
});

void test('deletion: terminating with the deletion grace, then terminated, once', async () => {
  const r = recorder();
  r.setOpen();
  const w = new PodWorkers({ handler: r.handler, logger: silentLogger });
  w.update(pod('1'));
  await w.idle();
  w.update(pod('2', { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 4 }));
  await waitFor(() => w.phase('u') === 'terminated');
  await w.idle();
  w.update(pod('3', { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 4 }));
  await w.idle();
  w.remove(pod('3'));
  await waitFor(() => !w.known('u'));
  assert.deepEqual(r.log, [
    'sync:1',
    'terminating:2:4',
    'terminated:2:false',
    'terminated:3:false',
    'terminated:3:true',
  ]);
});

void test('a terminal pod is terminated with its own grace and never synced again', async () => {
  const r = recorder({ terminalAfter: 1 });
  r.setOpen();
  const w = new PodWorkers({ handler: r.handler, logger: silentLogger });
  w.update(pod('1'));
  await waitFor(() => w.phase('u') === 'terminated');
  w.update(pod('2'));
  await w.idle();
  assert.deepEqual(r.log, ['sync:1', 'terminating:1:9', 'terminated:1:false']);
});

void test('a failed sync is retried', async () => {
  const r = recorder({ failTimes: 2 });
  r.setOpen();
  const w = new PodWorkers({ handler: r.handler, logger: silentLogger, retryMs: 10 });
  w.update(pod('1'));
  await waitFor(() => r.log.length === 3);
  await w.stop();
  assert.deepEqual(r.log, ['sync:1', 'sync:1', 'sync:1']);
});

void test('a shorter grace during termination is handed over at once', async () => {
  const shortened: number[] = [];
  let finish!: () => void;
  const handler: PodSyncHandler = {
    syncPod: () => Promise.resolve({ terminal: false, retry: false }),
    syncTerminatingPod: () => new Promise<void>((r) => (finish = r)),
    syncTerminatedPod: () => Promise.resolve(),
    shortenTermination: (_p, grace) => {
      shortened.push(grace);
      return Promise.resolve();
    },
  };
  const w = new PodWorkers({ handler, logger: silentLogger });
  const deleting = (grace: number) =>
    pod('2', { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: grace });
  w.update(deleting(30));
  await waitFor(() => w.phase('u') === 'terminating');
  w.update(deleting(30));
  w.update(deleting(5));
  w.remove(deleting(5));
  finish();
  await w.idle();
  assert.deepEqual(shortened, [5, 0]);
});
