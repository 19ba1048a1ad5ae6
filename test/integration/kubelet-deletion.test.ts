import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

void test('graceful deletion: preStop, stop with the deletion grace, then the pod object disappears', async () => {
  const order: string[] = [];
  h.runtime.execHandler = (id, cmd) => {
    order.push(`exec:${cmd.join(' ')}:${id}`);
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0, timedOut: false };
  };
  await h.createPod('bye', {
    terminationGracePeriodSeconds: 30,
    volumes: [{ name: 'scratch', emptyDir: {} }],
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        lifecycle: { preStop: { exec: { command: ['drain'] } } },
      },
    ],
  });
  const p = await h.waitPod('bye', (x) => Boolean(cstatus(x, 'app')?.state?.running));
  const uid = p.metadata!.uid!;
  const id = h.containerId(p, 'app')!;
  const podDir = join(h.rootDir, 'pods', uid);
  assert.ok(existsSync(join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'scratch')));

  // Hold the stop a moment so the test sees the pod terminating before it disappears.
  const stopContainer = h.runtime.stopContainer.bind(h.runtime);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  h.runtime.stopContainer = async (cid, timeout) => {
    order.push(`stop:${cid}:${timeout}`);
    await held;
    return stopContainer(cid, timeout);
  };
  await h.client.resource<Pod>(R.pods).delete('default', 'bye', { gracePeriodSeconds: 7 });
  await waitFor(() => order.some((o) => o.startsWith('stop:')));
  const terminating = await h.getPod('bye');
  assert.ok(terminating?.metadata?.deletionTimestamp, 'the pod waits for its containers');
  release();
  await waitFor(async () => (await h.getPod('bye')) === undefined, { message: 'pod object removed' });
  assert.deepEqual(order, [`exec:drain:${id}`, `stop:${id}:7`]);
  assert.equal(h.runtime.containersNamed(uid, 'app').length, 0);
  assert.equal([...h.runtime.sandboxes.values()].filter((s) => s.config.metadata.uid === uid).length, 0);
  assert.equal(existsSync(podDir), false);
});

void test('a pod deleted while its container is still starting is stopped and removed too', async () => {
  await h.createPod('quick', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  await h.client.resource<Pod>(R.pods).delete('default', 'quick', { gracePeriodSeconds: 1 });
  await waitFor(async () => (await h.getPod('quick')) === undefined, { message: 'pod object removed' });
  await waitFor(() => ![...h.runtime.sandboxes.values()].some((s) => s.config.metadata.name === 'quick'));
});

void test('containers of pods unknown to the API (deleted while the agent was away) are removed', async () => {
  const sb = await h.runtime.runPodSandbox({
    metadata: { name: 'ghost', uid: 'ghost-uid', namespace: 'default', attempt: 0 },
    hostname: 'ghost',
    logDirectory: h.rootDir,
    portMappings: [],
    labels: { 'io.kubernetes.pod.uid': 'ghost-uid' },
    annotations: {},
    linux: { cgroupParent: 'x', namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' } },
  });
  await waitFor(() => !h.runtime.sandboxes.has(sb), { message: 'orphan sandbox removed' });
});

void test('a force delete during a graceful stop stops the containers at once', async () => {
  await h.createPod('force', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const p = await h.waitPod('force', (x) => Boolean(cstatus(x, 'app')?.state?.running));
  const id = h.containerId(p, 'app')!;
  const stops: number[] = [];
  let release = (): void => {};
  const real = h.runtime.stopContainer.bind(h.runtime);
  h.runtime.stopContainer = async (cid, timeout) => {
    if (cid === id) stops.push(timeout);
    // The graceful stop hangs like a process that ignores SIGTERM; a zero timeout kills.
    if (cid === id && timeout > 0) await new Promise<void>((r) => (release = r));
    return real(cid, timeout);
  };
  const pods = h.client.resource<Pod>(R.pods);
  await pods.delete('default', 'force', { gracePeriodSeconds: 30 });
  await waitFor(() => stops.includes(30));
  await pods.delete('default', 'force', { gracePeriodSeconds: 0 });
  await waitFor(() => stops.includes(0), { message: 'killed at once' });
  await waitFor(() => h.runtime.containersNamed(p.metadata!.uid!, 'app')[0]?.status.state === 'exited');
  h.runtime.stopContainer = real;
  release();
});
