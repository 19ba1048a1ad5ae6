import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../src/util/clock.js';
import { waitFor } from '../../src/util/wait.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const clock = new FakeClock();
let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({ clock });
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

void test('CrashLoopBackOff: back-off 10 s, 20 s, 40 s between restarts of a crashing container', async () => {
  const pod = await h.createPod('crash', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const uid = pod.metadata!.uid!;
  const desc = `crash_default(${uid})`;
  let p = await h.waitPod('crash', (x) => Boolean(cstatus(x, 'app')?.state?.running));

  // The first crash restarts at once.
  clock.advance(1000);
  h.runtime.exitContainer(h.containerId(p, 'app')!, 1);
  p = await h.waitPod(
    'crash',
    (x) => cstatus(x, 'app')?.restartCount === 1 && Boolean(cstatus(x, 'app')?.state?.running),
  );

  for (const [restarts, delay] of [
    [1, 10],
    [2, 20],
    [3, 40],
  ] as const) {
    clock.advance(1000);
    h.runtime.exitContainer(h.containerId(p, 'app')!, 1);
    p = await h.waitPod('crash', (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'CrashLoopBackOff');
    const cs = cstatus(p, 'app')!;
    assert.equal(
      cs.state?.waiting?.message,
      `back-off ${delay}s restarting failed container=app pod=${desc}`,
    );
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(cs.restartCount, restarts);
    assert.equal(cs.ready, false);
    assert.equal(p.status?.phase, 'Running');
    // Still backing off just before the delay ends.
    clock.advance(delay * 1000 - 500);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(h.runtime.containersNamed(uid, 'app')[0]!.status.state, 'exited');
    clock.advance(600);
    p = await h.waitPod(
      'crash',
      (x) => cstatus(x, 'app')?.restartCount === restarts + 1 && Boolean(cstatus(x, 'app')?.state?.running),
    );
  }
  // Old instances are removed (with their termination message files): the running one and the last exited stay.
  assert.ok(h.runtime.containersNamed(uid, 'app').length <= 2);
  await waitFor(() => readdirSync(join(h.rootDir, 'pods', uid, 'containers', 'app')).length <= 3);
});
