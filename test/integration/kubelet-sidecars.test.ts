/** Sidecar containers (init containers with restartPolicy Always) through the kubelet and the fake runtime. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cond, cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

const image = 'busybox:1.36';

void test('a sidecar starts first, keeps running beside the app, and counts for readiness', async () => {
  await h.createPod('with-proxy', {
    initContainers: [
      { name: 'proxy', image, restartPolicy: 'Always' },
      { name: 'setup', image },
    ],
    containers: [{ name: 'app', image }],
  });
  // The regular init container starts only once the sidecar runs, and the app only after it completed.
  let p = await h.waitPod('with-proxy', (x) => Boolean(cstatus(x, 'setup')?.state?.running));
  assert.ok(cstatus(p, 'proxy')?.state?.running);
  assert.equal(cstatus(p, 'proxy')?.started, true);
  assert.equal(cstatus(p, 'app')?.state?.waiting?.reason, 'PodInitializing');
  assert.equal(p.status?.phase, 'Pending');
  h.runtime.exitContainer(h.containerId(p, 'setup')!, 0);

  p = await h.waitPod('with-proxy', (x) => cond(x, 'Ready')?.status === 'True');
  assert.equal(p.status?.phase, 'Running');
  assert.equal(cond(p, 'Initialized')?.status, 'True');
  const proxy = cstatus(p, 'proxy')!;
  assert.ok(proxy.state?.running);
  assert.equal(proxy.ready, true);
  assert.equal(cstatus(p, 'setup')?.state?.terminated?.reason, 'Completed');

  // A sidecar that exits is restarted even though it is an init container; the pod stays Running.
  h.runtime.exitContainer(h.containerId(p, 'proxy')!, 1);
  p = await h.waitPod(
    'with-proxy',
    (x) => cstatus(x, 'proxy')?.restartCount === 1 && Boolean(cstatus(x, 'proxy')?.state?.running),
  );
  assert.equal(p.status?.phase, 'Running');
  assert.equal(cstatus(p, 'proxy')?.lastState?.terminated?.exitCode, 1);
  assert.equal(h.runtime.containersNamed(p.metadata!.uid!, 'setup').length, 1, 'setup does not run again');
});

void test('a job-like pod completes when its app exits: the sidecar is stopped after it, phase Succeeded', async () => {
  await h.createPod('job', {
    restartPolicy: 'Never',
    initContainers: [
      { name: 'log-shipper', image, restartPolicy: 'Always' },
      { name: 'mesh', image, restartPolicy: 'Always' },
    ],
    containers: [{ name: 'work', image }],
  });
  let p = await h.waitPod('job', (x) => Boolean(cstatus(x, 'work')?.state?.running));
  assert.equal(p.status?.phase, 'Running');
  const before = h.runtime.callsOf('stopContainer').length;
  h.runtime.exitContainer(h.containerId(p, 'work')!, 0);
  p = await h.waitPod('job', (x) => x.status?.phase === 'Succeeded');
  assert.ok(cstatus(p, 'log-shipper')?.state?.terminated, 'the sidecars were stopped');
  assert.ok(cstatus(p, 'mesh')?.state?.terminated);
  // Sidecars stop in reverse order of their definition.
  const stopped = h.runtime
    .callsOf('stopContainer')
    .slice(before)
    .map((c) => c.args[0] as string);
  const uid = p.metadata!.uid!;
  const order = ['mesh', 'log-shipper'].map((n) =>
    stopped.indexOf(h.runtime.containersNamed(uid, n)[0]!.status.id),
  );
  assert.ok(order[0]! >= 0 && order[0]! < order[1]!, `stop order ${JSON.stringify(order)}`);
});
