import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { cond, cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

const result = (exitCode: number) => ({
  stdout: Buffer.alloc(0),
  stderr: Buffer.from(exitCode ? 'not ready' : ''),
  exitCode,
  timedOut: false,
});

void test('an exec readiness probe gates Ready, both ways', async () => {
  let healthy = false;
  h.runtime.execHandler = (_id, cmd) => (cmd[0] === 'check-ready' ? result(healthy ? 0 : 1) : result(0));
  await h.createPod('ready', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        readinessProbe: { exec: { command: ['check-ready'] }, periodSeconds: 1, failureThreshold: 1 },
      },
    ],
  });
  let p = await h.waitPod('ready', (x) => x.status?.phase === 'Running');
  assert.equal(cond(p, 'Ready')?.status, 'False');
  assert.equal(cond(p, 'Ready')?.message, 'containers with unready status: [app]');
  assert.equal(cstatus(p, 'app')?.ready, false);
  healthy = true;
  p = await h.waitPod('ready', (x) => cond(x, 'Ready')?.status === 'True');
  assert.equal(cstatus(p, 'app')?.ready, true);
  healthy = false;
  p = await h.waitPod('ready', (x) => cond(x, 'Ready')?.status === 'False');
  assert.equal(cstatus(p, 'app')?.state?.running !== undefined, true);
  const probes = h.runtime.callsOf('execSync').filter((c) => (c.args[1] as string[])[0] === 'check-ready');
  assert.deepEqual(probes[0]!.args.slice(1), [['check-ready'], 1]);
});

void test('a failing liveness probe restarts the container', async () => {
  let alive = true;
  h.runtime.execHandler = (_id, cmd) => (cmd[0] === 'check-alive' ? result(alive ? 0 : 1) : result(0));
  await h.createPod('live', {
    terminationGracePeriodSeconds: 3,
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        livenessProbe: { exec: { command: ['check-alive'] }, periodSeconds: 1, failureThreshold: 2 },
      },
    ],
  });
  const p = await h.waitPod('live', (x) => Boolean(cstatus(x, 'app')?.state?.running));
  const first = h.containerId(p, 'app')!;
  alive = false;
  const r = await h.waitPod(
    'live',
    (x) => cstatus(x, 'app')?.restartCount === 1,
    'restart after liveness failure',
    15_000,
  );
  alive = true;
  assert.notEqual(h.containerId(r, 'app'), first);
  const stop = h.runtime.callsOf('stopContainer').find((c) => c.args[0] === first);
  assert.deepEqual(stop?.args, [first, 3]);
  await waitFor(async () => {
    const list = await h.client.resource<Event>(R.events).list('default');
    const mine = list.items
      .filter((e) => e.involvedObject.name === 'live')
      .map((e) => `${e.reason}: ${e.message}`);
    return (
      mine.includes('Killing: Container app failed liveness probe, will be restarted') &&
      mine.some((m) => m.startsWith('Unhealthy: Liveness probe failed: not ready'))
    );
  });
});

void test('a startup probe holds started and Ready until it succeeds; liveness waits for it', async () => {
  let up = false;
  const liveness: string[] = [];
  h.runtime.execHandler = (_id, cmd) => {
    if (cmd[0] === 'live') liveness.push('live');
    return result(cmd[0] === 'started' ? (up ? 0 : 1) : 0);
  };
  await h.createPod('slow', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        startupProbe: { exec: { command: ['started'] }, periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1 },
      },
    ],
  });
  let p = await h.waitPod('slow', (x) => x.status?.phase === 'Running');
  await new Promise((r) => setTimeout(r, 1500));
  p = (await h.getPod('slow'))!;
  assert.equal(cstatus(p, 'app')?.started, false);
  assert.equal(cond(p, 'Ready')?.status, 'False');
  assert.equal(liveness.length, 0, 'liveness does not run before startup succeeds');
  up = true;
  p = await h.waitPod(
    'slow',
    (x) => cstatus(x, 'app')?.started === true && cond(x, 'Ready')?.status === 'True',
  );
  await waitFor(() => liveness.length > 0, { message: 'liveness runs after startup' });
});

void test('a startup probe that keeps failing restarts the container', async () => {
  h.runtime.execHandler = (_id, cmd) => result(cmd[0] === 'never-up' ? 1 : 0);
  await h.createPod('stuck', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        startupProbe: { exec: { command: ['never-up'] }, periodSeconds: 1, failureThreshold: 1 },
      },
    ],
  });
  await h.waitPod(
    'stuck',
    (x) => (cstatus(x, 'app')?.restartCount ?? 0) >= 1,
    'restart after startup failure',
    15_000,
  );
  const list = await h.client.resource<Event>(R.events).list('default');
  assert.ok(
    list.items.some(
      (e) =>
        e.involvedObject.name === 'stuck' &&
        e.message === 'Container app failed startup probe, will be restarted',
    ),
  );
});
