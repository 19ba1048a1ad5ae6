import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { sleep, waitFor } from '../../src/util/wait.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

void test('a restarted kubelet adopts running containers, finishes deletions and removes orphans', async () => {
  await h.createPod('keep', {
    volumes: [{ name: 'data', emptyDir: {} }],
    containers: [
      { name: 'app', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
    ],
  });
  await h.createPod('doomed', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  await h.createPod('forced', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const keep = await h.waitPod('keep', (x) => x.status?.phase === 'Running');
  await h.waitPod('doomed', (x) => x.status?.phase === 'Running');
  const forced = await h.waitPod('forced', (x) => x.status?.phase === 'Running');
  const keepId = h.containerId(keep, 'app');
  const creates = h.runtime.callsOf('createContainer').length;

  const pods = h.client.resource<Pod>(R.pods);
  await h.restartKubelet(async () => {
    // While the agent is down: one pod is deleted gracefully, one is removed at once.
    await pods.delete('default', 'doomed', { gracePeriodSeconds: 5 });
    await pods.delete('default', 'forced', { gracePeriodSeconds: 0 });
  });

  await waitFor(async () => (await h.getPod('doomed')) === undefined, {
    message: 'graceful deletion finished',
  });
  await waitFor(() => h.runtime.containersNamed(forced.metadata!.uid!, 'app').length === 0, {
    message: 'orphan removed',
  });
  // A few relists later the kept pod still runs its original container.
  await sleep(500);
  const after = (await h.getPod('keep'))!;
  assert.equal(after.status?.phase, 'Running');
  assert.equal(h.containerId(after, 'app'), keepId);
  assert.equal(cstatus(after, 'app')?.restartCount, 0);
  assert.equal(h.runtime.callsOf('createContainer').length, creates);
  assert.equal(
    h.runtime.callsOf('stopContainer').filter((c) => c.args[0] === keepId).length,
    0,
    'the adopted container was never stopped',
  );
});
