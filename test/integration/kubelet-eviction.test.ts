/** Node-pressure eviction through the kubelet, with injected host readings and the fake runtime's stats. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import type { HostReadings } from '../../src/kubelet/node/host-readings.js';
import { plentifulReadings } from '../../src/kubelet/node/testing.js';
import { waitFor } from '../../src/util/wait.js';
import { cond, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const Mi = 1024 * 1024;
let readings: HostReadings = plentifulReadings();

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    kubelet: { readings: () => Promise.resolve(readings), evictionPeriodMs: 100 },
  });
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

void test('under memory pressure pods are evicted one at a time, the one using most beyond its request first', async () => {
  await h.createPod('guaranteed', {
    containers: [
      { name: 'app', image: 'busybox:1.36', resources: { limits: { cpu: '100m', memory: '512Mi' } } },
    ],
  });
  await h.createPod('hungry', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const g = await h.waitPod('guaranteed', (x) => x.status?.phase === 'Running');
  const p = await h.waitPod('hungry', (x) => x.status?.phase === 'Running');
  h.runtime.memoryWorkingSet.set(h.containerId(g, 'app')!, 400 * Mi);
  h.runtime.memoryWorkingSet.set(h.containerId(p, 'app')!, 300 * Mi);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await h.getPod('hungry'))?.status?.phase, 'Running', 'no pressure, no eviction');

  readings = { ...readings, memoryAvailableBytes: 60 * Mi };
  const evicted = await h.waitPod('hungry', (x) => x.status?.phase === 'Failed');
  assert.equal(evicted.status?.reason, 'Evicted');
  assert.equal(
    evicted.status?.message,
    'The node was low on resource: memory. Threshold quantity: 100Mi, available: 60Mi. ' +
      'Container app was using 300Mi, request is 0, has larger consumption of memory. ',
  );
  const disruption = cond(evicted, 'DisruptionTarget');
  assert.equal(disruption?.status, 'True');
  assert.equal(disruption?.reason, 'TerminationByKubelet');
  await waitFor(() => h.runtime.containersNamed(p.metadata!.uid!, 'app')[0]?.status.state === 'exited', {
    message: 'the evicted pod stopped',
  });
  const events = await h.client.resource<Event>(R.events).list('default');
  assert.ok(events.items.some((e) => e.reason === 'Evicted' && e.involvedObject.name === 'hungry'));

  // Still short: the next pod goes, only after the first one stopped.
  const second = await h.waitPod('guaranteed', (x) => x.status?.phase === 'Failed');
  assert.equal(second.status?.reason, 'Evicted');
  const stops = h.runtime.callsOf('stopContainer').map((c) => c.args[0]);
  assert.ok(
    stops.indexOf(h.containerId(p, 'app')) < stops.indexOf(h.containerId(g, 'app')),
    'evicted in order',
  );

  readings = { ...readings, memoryAvailableBytes: 2048 * Mi };
  await h.createPod('after', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  await h.waitPod('after', (x) => x.status?.phase === 'Running');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await h.getPod('after'))?.status?.phase, 'Running', 'no pressure, no eviction');
});
