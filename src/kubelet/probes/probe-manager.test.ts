import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import { waitFor } from '../../util/wait.js';
import { FakeRuntimeService } from '../cri/fake/index.js';
import { ProbeManager, type ContainerView } from './probe-manager.js';

function setup(probe: Probe, kind: 'readinessProbe' | 'livenessProbe' | 'startupProbe', exitCodes: number[]) {
  const clock = new FakeClock();
  const runtime = new FakeRuntimeService({ clock });
  const execs: number[] = [];
  runtime.execHandler = () => {
    const code = exitCodes.length > 1 ? exitCodes.shift()! : (exitCodes[0] ?? 0);
    execs.push(clock.now());
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: code, timedOut: false };
  };
  const view: ContainerView = {
    id: 'c1',
    state: 'running',
    startedAt: clock.now(),
    podIP: '10.0.0.1',
    terminating: false,
  };
  const changes: string[] = [];
  const pod: Pod = {
    metadata: { uid: 'u', name: 'p', namespace: 'n' },
    spec: { containers: [{ name: 'app', [kind]: probe }] },
  };
  // execSync needs a running container in the fake runtime.
  runtime.execSync = (_id, cmd, t) => Promise.resolve(runtime.execHandler('c1', cmd, t));
  const m = new ProbeManager({
    runtime,
    clock,
    logger: silentLogger,
    view: () => view,
    onChange: (uid) => changes.push(uid),
  });
  m.addPod(pod);
  return { m, clock, execs, view, changes };
}

void test('readiness waits initialDelaySeconds, then needs successThreshold successes', async () => {
  const s = setup(
    { exec: { command: ['x'] }, periodSeconds: 1, initialDelaySeconds: 5, successThreshold: 2 },
    'readinessProbe',
    [0],
  );
  try {
    await waitFor(() => s.m.result('readiness', 'c1') === 'failure');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.execs.length, 0, 'no probe inside the initial delay');
    s.clock.advance(5000);
    await waitFor(() => s.execs.length >= 1, { timeoutMs: 3000 });
    assert.equal(s.m.result('readiness', 'c1'), 'failure', 'one success is below the threshold');
    await waitFor(() => s.m.result('readiness', 'c1') === 'success', { timeoutMs: 3000 });
    assert.ok(s.execs.length >= 2);
  } finally {
    s.m.stop();
  }
});

void test('liveness starts as success and fails after failureThreshold failures, then holds', async () => {
  const s = setup({ exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 2 }, 'livenessProbe', [1]);
  try {
    await waitFor(() => s.m.result('liveness', 'c1') === 'success');
    await waitFor(() => s.m.result('liveness', 'c1') === 'failure', { timeoutMs: 4000 });
    const n = s.execs.length;
    assert.equal(n, 2);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.execs.length, n, 'on hold until the container is replaced');
    s.view.id = 'c2';
    await waitFor(() => s.m.result('liveness', 'c2') === 'success');
  } finally {
    s.m.stop();
  }
});

void test('a container seen created but not yet started keeps its initial result until it runs', async () => {
  const s = setup({ exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 3 }, 'startupProbe', [1]);
  s.view.state = 'created';
  try {
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.execs.length, 0, 'no probe of a container that is not running');
    assert.equal(s.m.result('startup', 'c1'), undefined, 'no failure recorded before the start');
    s.view.state = 'running';
    await waitFor(() => s.execs.length >= 1, { timeoutMs: 3000 });
    assert.equal(s.m.result('startup', 'c1'), undefined, 'one failure is below the threshold');
    s.view.state = 'exited';
    await waitFor(() => s.m.result('startup', 'c1') === 'failure', { timeoutMs: 3000 });
  } finally {
    s.m.stop();
  }
});
