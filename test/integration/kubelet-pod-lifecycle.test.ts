import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { cond, cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
});
after(() => h.close());

void test('a pod goes Pending → Running with its conditions, IPs and container status', async () => {
  h.images.addImage('docker.io/library/busybox:1.36');
  await h.createPod('web', {
    containers: [
      { name: 'app', image: 'busybox:1.36', resources: { limits: { cpu: '100m', memory: '64Mi' } } },
    ],
  });
  const p = await h.waitPod(
    'web',
    (x) => x.status?.phase === 'Running' && cond(x, 'Ready')?.status === 'True',
  );
  for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
    assert.equal(cond(p, t)?.status, 'True', t);
  }
  assert.match(p.status?.podIP ?? '', /^10\.42\.0\.\d+$/);
  assert.equal(p.status?.hostIP, '192.0.2.10');
  assert.equal(p.status?.qosClass, 'Guaranteed');
  assert.ok(p.status?.startTime);
  const cs = cstatus(p, 'app')!;
  assert.equal(cs.containerID, `fake://${h.containerId(p, 'app')}`);
  assert.equal(cs.image, 'docker.io/library/busybox:1.36');
  assert.match(cs.imageID ?? '', /^sha256:/);
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.ok(cs.state?.running?.startedAt);
  // IfNotPresent (tagged image already present): no pull.
  assert.equal(h.images.pulls.length, 0);
  // The container got the CRI config the spec asks for.
  const c = h.runtime.containers.get(h.containerId(p, 'app')!)!;
  assert.equal(c.config.linux.resources.memoryLimitInBytes, 64 * 1024 * 1024);
  assert.equal(c.config.linux.resources.cpuQuota, 10_000);
  const sb = h.runtime.sandboxes.get(c.sandboxId)!;
  assert.equal(sb.config.metadata.uid, p.metadata?.uid);
  assert.equal(sb.config.linux.cgroupParent, `tugboat/pod${p.metadata?.uid}`);
});

void test('restartPolicy Always restarts an exited container; lastState shows the exit', async () => {
  await h.createPod('always', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const p = await h.waitPod('always', (x) => x.status?.phase === 'Running');
  h.runtime.exitContainer(h.containerId(p, 'app')!, 0);
  const r = await h.waitPod(
    'always',
    (x) => cstatus(x, 'app')?.restartCount === 1 && Boolean(cstatus(x, 'app')?.state?.running),
  );
  const cs = cstatus(r, 'app')!;
  assert.equal(cs.lastState?.terminated?.exitCode, 0);
  assert.equal(cs.lastState?.terminated?.reason, 'Completed');
  assert.equal(r.status?.phase, 'Running');
});

void test('restartPolicy OnFailure: exit 0 → Succeeded and no restart', async () => {
  await h.createPod('onfailure', {
    restartPolicy: 'OnFailure',
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  const p = await h.waitPod('onfailure', (x) => x.status?.phase === 'Running');
  h.runtime.exitContainer(h.containerId(p, 'app')!, 0);
  const done = await h.waitPod('onfailure', (x) => x.status?.phase === 'Succeeded');
  const cs = cstatus(done, 'app')!;
  assert.equal(cs.state?.terminated?.reason, 'Completed');
  assert.equal(cs.restartCount, 0);
  assert.equal(cond(done, 'Ready')?.reason, 'PodCompleted');
  assert.equal(h.runtime.containersNamed(p.metadata!.uid!, 'app').length, 1);
});

void test('restartPolicy Never: exit 1 → Failed with Error; OOMKilled is reported', async () => {
  await h.createPod('never', {
    restartPolicy: 'Never',
    containers: [
      { name: 'a', image: 'busybox:1.36' },
      { name: 'b', image: 'busybox:1.36' },
    ],
  });
  const p = await h.waitPod('never', (x) => x.status?.phase === 'Running');
  h.runtime.exitContainer(h.containerId(p, 'a')!, 1);
  h.runtime.exitContainer(h.containerId(p, 'b')!, 137, { oomKilled: true });
  const done = await h.waitPod('never', (x) => x.status?.phase === 'Failed');
  assert.equal(cstatus(done, 'a')?.state?.terminated?.reason, 'Error');
  assert.equal(cstatus(done, 'a')?.state?.terminated?.exitCode, 1);
  assert.equal(cstatus(done, 'b')?.state?.terminated?.reason, 'OOMKilled');
  assert.equal(cstatus(done, 'b')?.state?.terminated?.exitCode, 137);
  // The finished pod's sandbox is stopped.
  await waitFor(() =>
    [...h.runtime.sandboxes.values()].every(
      (s) => s.config.metadata.uid !== p.metadata!.uid || s.status.state === 'notready',
    ),
  );
});

void test('init containers run one at a time, in order, before the app containers', async () => {
  await h.createPod('init', {
    initContainers: [
      { name: 'i1', image: 'busybox:1.36' },
      { name: 'i2', image: 'busybox:1.36' },
    ],
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  let p = await h.waitPod('init', (x) => Boolean(cstatus(x, 'i1')?.state?.running));
  assert.equal(p.status?.phase, 'Pending');
  assert.equal(cond(p, 'Initialized')?.status, 'False');
  assert.equal(cstatus(p, 'app')?.state?.waiting?.reason, 'PodInitializing');
  assert.equal(h.containerId(p, 'i2'), undefined);
  h.runtime.exitContainer(h.containerId(p, 'i1')!, 0);
  p = await h.waitPod('init', (x) => Boolean(cstatus(x, 'i2')?.state?.running));
  assert.equal(h.containerId(p, 'app'), undefined);
  h.runtime.exitContainer(h.containerId(p, 'i2')!, 0);
  p = await h.waitPod('init', (x) => x.status?.phase === 'Running');
  assert.equal(cond(p, 'Initialized')?.status, 'True');
  assert.deepEqual(
    p.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready]),
    [
      ['i1', 'Completed', true],
      ['i2', 'Completed', true],
    ],
  );
  const starts = h.runtime
    .callsOf('createContainer')
    .map((c) => (c.args[1] as { metadata: { name: string } }).metadata.name)
    .filter((n) => ['i1', 'i2', 'app'].includes(n));
  assert.deepEqual(starts.slice(-3), ['i1', 'i2', 'app']);
});

void test('image pull failure: ErrImagePull, then ImagePullBackOff, with events', async () => {
  h.images.injectPullError('docker.io/library/missing:latest', new Error('manifest unknown'), Infinity);
  await h.createPod('pull', { containers: [{ name: 'app', image: 'missing' }] });
  const p = await h.waitPod('pull', (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'ImagePullBackOff');
  assert.equal(cstatus(p, 'app')?.state?.waiting?.message, 'Back-off pulling image "missing"');
  assert.equal(p.status?.phase, 'Pending');
  const events = await waitFor(async () => {
    const list = await h.client.resource<Event>(R.events).list('default');
    const mine = list.items
      .filter((e) => e.involvedObject.name === 'pull')
      .map((e) => `${e.reason}: ${e.message}`);
    return mine.includes('Failed: Error: ErrImagePull') && mine.includes('Failed: Error: ImagePullBackOff')
      ? mine
      : undefined;
  });
  assert.ok(events.includes('Pulling: Pulling image "missing"'));
  assert.ok(events.includes('Failed: Failed to pull image "missing": manifest unknown'));
  assert.equal(h.images.pulls.filter((x) => x.image === 'docker.io/library/missing:latest').length, 1);
});

void test('imagePullPolicy Never with an absent image: ErrImageNeverPull', async () => {
  await h.createPod('never-pull', {
    containers: [{ name: 'app', image: 'absent:1', imagePullPolicy: 'Never' }],
  });
  const p = await h.waitPod(
    'never-pull',
    (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'ErrImageNeverPull',
  );
  assert.equal(
    cstatus(p, 'app')?.state?.waiting?.message,
    'Container image "absent:1" is not present with pull policy of Never',
  );
});

void test('termination message from the file, or from the log tail under FallbackToLogsOnError', async () => {
  await h.createPod('msg', {
    restartPolicy: 'Never',
    containers: [
      { name: 'file', image: 'busybox:1.36' },
      { name: 'logs', image: 'busybox:1.36', terminationMessagePolicy: 'FallbackToLogsOnError' },
    ],
  });
  const p = await h.waitPod('msg', (x) => x.status?.phase === 'Running');
  const fileC = h.runtime.containers.get(h.containerId(p, 'file')!)!;
  const mount = fileC.config.mounts.find((m) => m.containerPath === '/dev/termination-log')!;
  writeFileSync(mount.hostPath, 'config invalid: port missing');
  h.runtime.exitContainer(fileC.status.id, 1);
  const logsC = h.runtime.containers.get(h.containerId(p, 'logs')!)!;
  mkdirSync(dirname(logsC.status.logPath), { recursive: true });
  writeFileSync(
    logsC.status.logPath,
    '2026-01-01T00:00:00.000000000Z stdout F starting\n2026-01-01T00:00:01.000000000Z stderr P panic: \n2026-01-01T00:00:01.000000000Z stderr F boom\n',
  );
  h.runtime.exitContainer(logsC.status.id, 2);
  const done = await h.waitPod('msg', (x) => x.status?.phase === 'Failed');
  assert.equal(cstatus(done, 'file')?.state?.terminated?.message, 'config invalid: port missing');
  assert.equal(cstatus(done, 'logs')?.state?.terminated?.message, 'starting\npanic: boom\n');
});

void test('activeDeadlineSeconds: the pod fails with DeadlineExceeded and its containers stop', async () => {
  await h.createPod('deadline', {
    activeDeadlineSeconds: 1,
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  // On a loaded machine the second may pass before the container runs: the pod then fails from Pending.
  const done = await h.waitPod('deadline', (x) => x.status?.phase === 'Failed');
  assert.equal(done.status?.reason, 'DeadlineExceeded');
  assert.equal(done.status?.message, 'Pod was active on the node longer than the specified deadline');
  await waitFor(() =>
    h.runtime.containersNamed(done.metadata!.uid!, 'app').every((c) => c.status.state === 'exited'),
  );
});

void test('a pod bound to the node after creation (the scheduler path) is run', async () => {
  const pods = h.client.resource<Pod>(R.pods);
  await pods.create({
    metadata: { name: 'scheduled', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
  });
  await pods.createSubresource('default', 'scheduled', 'binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'scheduled' },
    target: { kind: 'Node', name: h.nodeName },
  });
  await h.waitPod('scheduled', (x) => x.status?.phase === 'Running');
});
