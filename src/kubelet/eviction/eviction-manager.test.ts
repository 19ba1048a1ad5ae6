import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import type { HostReadings } from '../node/host-readings.js';
import { plentifulReadings } from '../node/testing.js';
import { EvictionManager } from './eviction-manager.js';
import { parseEvictionHard, parseEvictionSoft } from './thresholds.js';

const Mi = 1024 * 1024;
const readingsWith = (memoryAvailableBytes: number): HostReadings =>
  plentifulReadings({ memoryAvailableBytes });

function manager(maxPodGracePeriodSeconds: number | undefined) {
  const clock = new FakeClock();
  let readings = readingsWith(2048 * Mi);
  const evicted: { pod: string; message: string; grace: number | undefined }[] = [];
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [], terminationGracePeriodSeconds: 45 },
  };
  const m = new EvictionManager({
    readings: () => Promise.resolve(readings),
    thresholds: parseEvictionHard('memory.available<100Mi'),
    soft: parseEvictionSoft('memory.available<1Gi', 'memory.available=30s'),
    ...(maxPodGracePeriodSeconds !== undefined ? { maxPodGracePeriodSeconds } : {}),
    clock,
    runtime: { listContainers: () => Promise.resolve([]), listContainerStats: () => Promise.resolve([]) },
    activePods: () => [pod],
    evict: (p, message, grace) => evicted.push({ pod: p.metadata!.name!, message, grace }),
    evictedPodsStopping: () => false,
    logger: silentLogger,
  });
  return { m, clock, evicted, setAvailable: (bytes: number) => (readings = readingsWith(bytes)) };
}

test('a soft threshold evicts once met for its grace period, with the maximum pod grace period (default 0)', async () => {
  const { m, clock, evicted, setAvailable } = manager(undefined);
  setAvailable(900 * Mi);
  assert.deepEqual(await m.currentPressure(), ['MemoryPressure'], 'the condition at once');
  await m.runOnce();
  clock.advance(29_999);
  await m.runOnce();
  assert.equal(evicted.length, 0);
  clock.advance(1);
  await m.runOnce();
  assert.equal(evicted.length, 1);
  assert.equal(evicted[0]?.grace, 0);
  assert.match(evicted[0]?.message ?? '', /Threshold quantity: 1Gi, available: 900Mi/);
});

test('a hard threshold evicts at once and before a soft one; a negative maximum gives the pod its own grace', async () => {
  const hard = manager(10);
  hard.setAvailable(50 * Mi);
  await hard.m.runOnce();
  assert.equal(hard.evicted.length, 1);
  assert.equal(hard.evicted[0]?.grace, undefined, 'no grace for a hard threshold');
  assert.match(hard.evicted[0]?.message ?? '', /Threshold quantity: 100Mi, available: 50Mi/);

  const own = manager(-1);
  own.setAvailable(900 * Mi);
  await own.m.runOnce();
  // Recovered in between: the grace period starts again.
  own.setAvailable(2048 * Mi);
  own.clock.advance(20_000);
  await own.m.runOnce();
  own.setAvailable(900 * Mi);
  own.clock.advance(20_000);
  await own.m.runOnce();
  assert.equal(own.evicted.length, 0);
  own.clock.advance(30_000);
  await own.m.runOnce();
  assert.equal(own.evicted[0]?.grace, 45);
});
