/** Ephemeral containers (kubectl debug) through the kubelet and the fake runtime. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

void test('an ephemeral container starts once in the pod, targets a container, and is never restarted', async () => {
  await h.createPod('web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  let p = await h.waitPod('web', (x) => x.status?.phase === 'Running');
  const appId = h.containerId(p, 'app')!;
  await h.client.resource<Pod>(R.pods).patch(
    'default',
    'web',
    'strategic',
    {
      spec: {
        ephemeralContainers: [
          { name: 'debugger', image: 'busybox:1.36', stdin: true, tty: true, targetContainerName: 'app' },
        ],
      },
    },
    { subresource: 'ephemeralcontainers' },
  );
  p = await h.waitPod('web', (x) =>
    Boolean(x.status?.ephemeralContainerStatuses?.find((s) => s.name === 'debugger')?.state?.running),
  );
  const id = h.containerId(p, 'debugger')!;
  const config = h.runtime.containers.get(id)!.config;
  assert.deepEqual(config.linux.securityContext.namespaceOptions, {
    network: 'pod',
    pid: 'target',
    ipc: 'pod',
    targetId: appId,
  });
  assert.equal(config.tty, true);
  assert.equal(cstatus(p, 'app')?.ready, true, 'the app is untouched');
  assert.equal(p.status?.ephemeralContainerStatuses?.[0]?.ready, false);

  h.runtime.exitContainer(id, 0);
  p = await h.waitPod('web', (x) =>
    Boolean(x.status?.ephemeralContainerStatuses?.find((s) => s.name === 'debugger')?.state?.terminated),
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(h.runtime.containersNamed(p.metadata!.uid!, 'debugger').length, 1, 'not restarted');
  assert.equal((await h.getPod('web'))?.status?.phase, 'Running');
});
