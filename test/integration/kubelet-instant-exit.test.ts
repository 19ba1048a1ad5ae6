/**
 * A container whose process exits while its start is still being reported: the exit is noticed by the next
 * runtime relist (not only by the periodic resync, here set far away), so the container is restarted and then
 * waits in CrashLoopBackOff at once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../src/util/clock.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const clock = new FakeClock();
let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({ clock, kubelet: { resyncMs: 600_000 } });
  h.images.addImage('docker.io/library/busybox:1.36');
  h.runtime.afterStart = (id) => {
    clock.advance(100);
    h.runtime.exitContainer(id, 1);
  };
});
after(() => h.close());

void test('a container that exits right after its start is restarted, then backs off', async () => {
  await h.createPod('instant', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const p = await h.waitPod(
    'instant',
    (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'CrashLoopBackOff',
    'instant waits in CrashLoopBackOff',
    5_000,
  );
  const cs = cstatus(p, 'app')!;
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.match(cs.state?.waiting?.message ?? '', /^back-off 10s restarting failed container=app /);
});
