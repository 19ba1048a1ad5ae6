/**
 * Soft eviction thresholds through the kubelet (`--eviction-soft`, `--eviction-soft-grace-period`,
 * `--eviction-max-pod-grace-period`), with injected host readings and the fake runtime's stats.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { parseEvictionSoft } from '../../src/kubelet/eviction/thresholds.js';
import { plentifulReadings } from '../../src/kubelet/node/testing.js';
import { waitFor } from '../../src/util/wait.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const Mi = 1024 * 1024;
const PLENTY = plentifulReadings();
let readings = PLENTY;
const GRACE_MS = 1500;

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    kubelet: {
      readings: () => Promise.resolve(readings),
      evictionPeriodMs: 100,
      softThresholds: parseEvictionSoft('memory.available<1Gi', `memory.available=${GRACE_MS}ms`),
      evictionMaxPodGracePeriodSeconds: 7,
    },
  });
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

const memoryPressure = async (): Promise<string | undefined> =>
  (await h.client.resource<Node>(R.nodes).get('', h.nodeName)).status?.conditions?.find(
    (c) => c.type === 'MemoryPressure',
  )?.status;

void test('a soft threshold raises MemoryPressure at once but evicts only after its grace period, giving the pod the maximum grace', async () => {
  await h.createPod('soft', {
    terminationGracePeriodSeconds: 60,
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  const pod = await h.waitPod('soft', (x) => x.status?.phase === 'Running');
  h.runtime.memoryWorkingSet.set(h.containerId(pod, 'app')!, 300 * Mi);

  // Met, then gone before its grace period: the clock starts again, nobody is evicted.
  readings = { ...PLENTY, memoryAvailableBytes: 900 * Mi };
  await waitFor(async () => (await memoryPressure()) === 'True', { message: 'MemoryPressure True' });
  readings = PLENTY;
  await waitFor(async () => (await memoryPressure()) === 'False', { message: 'MemoryPressure False' });
  await new Promise((r) => setTimeout(r, GRACE_MS));
  assert.equal((await h.getPod('soft'))?.status?.phase, 'Running', 'short pressure evicts nobody');

  readings = { ...PLENTY, memoryAvailableBytes: 900 * Mi };
  const metAt = Date.now();
  const evicted = await h.waitPod('soft', (x) => x.status?.phase === 'Failed');
  assert.ok(
    Date.now() - metAt >= GRACE_MS,
    `evicted after ${Date.now() - metAt} ms, not before the grace period`,
  );
  assert.equal(evicted.status?.reason, 'Evicted');
  assert.match(
    evicted.status?.message ?? '',
    /^The node was low on resource: memory\. Threshold quantity: 1Gi, available: 900Mi\. /,
  );
  const stop = h.runtime.callsOf('stopContainer').find((c) => c.args[0] === h.containerId(pod, 'app'));
  assert.equal(stop?.args[1], 7, '--eviction-max-pod-grace-period, not the pod’s 60 s');
  readings = PLENTY;
});
