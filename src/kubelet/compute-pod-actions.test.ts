import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, backoffKey, type PodActionsInput } from './compute-pod-actions.js';
import { CrashBackoff } from './crash-backoff.js';
import { containerHash } from './labels.js';
import type { ObservedContainer, ObservedPod } from './runtime-state.js';

const NOW = 1_000_000_000;

function pod(
  opts: { containers?: string[]; inits?: string[]; policy?: string; deleting?: boolean } = {},
): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      restartPolicy: opts.policy ?? 'Always',
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'busybox' })),
      ...(opts.inits ? { initContainers: opts.inits.map((name) => ({ name, image: 'busybox' })) } : {}),
    },
  };
}

function specOf(p: Pod, name: string): Container {
  return [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].find((c) => c.name === name)!;
}

let seq = 0;
function ctr(
  p: Pod,
  name: string,
  state: ObservedContainer['state'],
  extra: Partial<ObservedContainer> = {},
): ObservedContainer {
  seq++;
  return {
    id: `c${seq}`,
    name,
    state,
    restartCount: 0,
    hash: containerHash(specOf(p, name)),
    createdAt: NOW - 100_000 + seq,
    image: 'busybox',
    imageRef: 'sha256:x',
    ...(state === 'exited' ? { exitCode: 0, finishedAt: NOW - 60_000 } : {}),
    ...extra,
  };
}

function observed(
  containers: ObservedContainer[],
  sandbox: 'ready' | 'notready' | 'none' = 'ready',
): ObservedPod {
  return {
    uid: 'u1',
    sandboxes:
      sandbox === 'none'
        ? []
        : [
            {
              id: 'sb1',
              metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt: 0 },
              state: sandbox,
              createdAt: NOW - 200_000,
              network: { ip: '10.42.0.5', additionalIps: [] },
              labels: {},
              annotations: {},
            },
          ],
    containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
  };
}

function input(p: Pod, o: ObservedPod, extra: Partial<PodActionsInput> = {}): PodActionsInput {
  return { pod: p, observed: o, now: NOW, backoff: new CrashBackoff(), ...extra };
}

void test('a new pod creates a sandbox and starts every container', () => {
  const p = pod({ containers: ['a', 'b'] });
  const a = computePodActions(input(p, observed([], 'none')));
  assert.equal(a.createSandbox, true);
  assert.equal(a.killPod, true);
  assert.equal(a.attempt, 0);
  assert.deepEqual(a.containersToStart, [0, 1]);
});

void test('a new pod with init containers starts only the first init container', () => {
  const p = pod({ inits: ['i1', 'i2'] });
  const a = computePodActions(input(p, observed([], 'none')));
  assert.equal(a.createSandbox, true);
  assert.deepEqual(a.initContainersToStart, [0]);
  assert.deepEqual(a.containersToStart, []);
});

void test('init containers run in order, then the app containers', () => {
  const p = pod({ inits: ['i1', 'i2'] });
  const running = computePodActions(input(p, observed([ctr(p, 'i1', 'running')])));
  assert.deepEqual(running.initContainersToStart, []);
  assert.deepEqual(running.containersToStart, []);
  assert.equal(running.killPod, false);

  const first = computePodActions(input(p, observed([ctr(p, 'i1', 'exited')])));
  assert.deepEqual(first.initContainersToStart, [1]);
  assert.equal(first.createSandbox, false);

  const done = computePodActions(input(p, observed([ctr(p, 'i1', 'exited'), ctr(p, 'i2', 'exited')])));
  assert.deepEqual(done.initContainersToStart, []);
  assert.deepEqual(done.containersToStart, [0]);
});

void test('a failed init container is retried under Always/OnFailure and fails the pod under Never', () => {
  for (const policy of ['Always', 'OnFailure']) {
    const p = pod({ inits: ['i1'], policy });
    const a = computePodActions(input(p, observed([ctr(p, 'i1', 'exited', { exitCode: 1 })])));
    assert.deepEqual(a.initContainersToStart, [0], policy);
    assert.equal(a.killPod, false, policy);
  }
  const p = pod({ inits: ['i1'], policy: 'Never' });
  const a = computePodActions(input(p, observed([ctr(p, 'i1', 'exited', { exitCode: 1 })])));
  assert.equal(a.killPod, true);
  assert.deepEqual(a.initContainersToStart, []);
});

void test('a running app container means initialization finished', () => {
  const p = pod({ inits: ['i1'] });
  const a = computePodActions(input(p, observed([ctr(p, 'app', 'running')])));
  assert.deepEqual(a.initContainersToStart, []);
  assert.equal(a.killPod, false);
  assert.deepEqual(a.containersToStart, []);
});

const exits: { policy: string; code: number; restart: boolean }[] = [
  { policy: 'Always', code: 0, restart: true },
  { policy: 'Always', code: 1, restart: true },
  { policy: 'OnFailure', code: 0, restart: false },
  { policy: 'OnFailure', code: 1, restart: true },
  { policy: 'Never', code: 0, restart: false },
  { policy: 'Never', code: 1, restart: false },
];
for (const { policy, code, restart } of exits) {
  void test(`restartPolicy ${policy}, exit ${code}: ${restart ? 'restart' : 'stay down'}`, () => {
    const p = pod({ policy });
    const a = computePodActions(input(p, observed([ctr(p, 'app', 'exited', { exitCode: code })])));
    assert.deepEqual(a.containersToStart, restart ? [0] : []);
    assert.equal(a.killPod, !restart);
  });
}

void test('a lost sandbox kills and recreates the pod with the next attempt', () => {
  const p = pod();
  const a = computePodActions(input(p, observed([ctr(p, 'app', 'exited', { exitCode: 137 })], 'notready')));
  assert.equal(a.killPod, true);
  assert.equal(a.createSandbox, true);
  assert.equal(a.attempt, 1);
  assert.equal(a.sandboxId, 'sb1');
  assert.deepEqual(a.containersToStart, [0]);
});

void test('a lost sandbox of a finished Never pod is not recreated', () => {
  const p = pod({ policy: 'Never' });
  const a = computePodActions(input(p, observed([ctr(p, 'app', 'exited')], 'notready')));
  assert.equal(a.createSandbox, false);
});

void test('a lost sandbox under OnFailure skips succeeded containers', () => {
  const p = pod({ policy: 'OnFailure', containers: ['a', 'b'] });
  const o = observed([ctr(p, 'a', 'exited'), ctr(p, 'b', 'exited', { exitCode: 2 })], 'notready');
  const a = computePodActions(input(p, o));
  assert.deepEqual(a.containersToStart, [1]);
  const allOk = computePodActions(
    input(p, observed([ctr(p, 'a', 'exited'), ctr(p, 'b', 'exited')], 'notready')),
  );
  assert.equal(allOk.createSandbox, false);
});

void test('a sandbox without an IP is recreated', () => {
  const p = pod();
  const o = observed([ctr(p, 'app', 'running')]);
  o.sandboxes[0]!.network = { ip: '', additionalIps: [] };
  assert.equal(computePodActions(input(p, o)).createSandbox, true);
  // A runtime without pod networking reports no network: nothing to recreate.
  delete o.sandboxes[0]!.network;
  assert.equal(computePodActions(input(p, o)).createSandbox, false);
});

void test('a changed spec hash restarts the container, even under Never', () => {
  for (const policy of ['Always', 'Never']) {
    const p = pod({ policy });
    const a = computePodActions(input(p, observed([ctr(p, 'app', 'running', { hash: 'stale' })])));
    assert.deepEqual(a.containersToStart, [0]);
    assert.equal(a.containersToKill.length, 1);
    assert.equal(a.containersToKill[0]!.message, 'Container app definition changed, will be restarted');
    assert.equal(a.killPod, false);
  }
});

void test('a liveness failure restarts the container (unless Never)', () => {
  const p = pod();
  const c = ctr(p, 'app', 'running');
  const a = computePodActions(
    input(p, observed([c]), { liveness: (id) => (id === c.id ? 'failure' : undefined) }),
  );
  assert.deepEqual(a.containersToStart, [0]);
  assert.deepEqual(a.containersToKill, [
    {
      id: c.id,
      name: 'app',
      message: 'Container app failed liveness probe, will be restarted',
      reason: 'LivenessProbe',
    },
  ]);
  const never = pod({ policy: 'Never' });
  const c2 = ctr(never, 'app', 'running');
  const b = computePodActions(input(never, observed([c2]), { liveness: () => 'failure' }));
  assert.deepEqual(b.containersToStart, []);
  assert.equal(b.containersToKill[0]!.message, 'Container app failed liveness probe');
  assert.equal(b.killPod, true);
});

void test('a startup probe failure restarts the container', () => {
  const p = pod();
  const a = computePodActions(input(p, observed([ctr(p, 'app', 'running')]), { startup: () => 'failure' }));
  assert.equal(a.containersToKill[0]!.reason, 'StartupProbe');
  assert.deepEqual(a.containersToStart, [0]);
});

void test('healthy running containers need nothing', () => {
  const p = pod({ containers: ['a', 'b'] });
  const a = computePodActions(input(p, observed([ctr(p, 'a', 'running'), ctr(p, 'b', 'running')])));
  assert.deepEqual(a, {
    killPod: false,
    createSandbox: false,
    sandboxId: 'sb1',
    attempt: 0,
    initContainersToStart: [],
    initContainersToKill: [],
    ephemeralContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
    backingOff: [],
  });
});

void test('a container in unknown state is killed and started again', () => {
  const p = pod();
  const c = ctr(p, 'app', 'unknown');
  const a = computePodActions(input(p, observed([c])));
  assert.deepEqual(a.containersToStart, [0]);
  assert.equal(a.containersToKill[0]!.id, c.id);
});

void test('a container created but never started (agent killed in between) is replaced', () => {
  const p = pod();
  const c = ctr(p, 'app', 'created');
  const a = computePodActions(input(p, observed([c])));
  assert.deepEqual(a.containersToStart, [0]);
  assert.deepEqual(
    a.containersToKill.map((k) => k.id),
    [c.id],
  );
});

void test('a pod being deleted restarts nothing', () => {
  const p = pod({ deleting: true });
  const a = computePodActions(input(p, observed([ctr(p, 'app', 'exited', { exitCode: 1 })])));
  assert.deepEqual(a.containersToStart, []);
  assert.equal(a.killPod, true);
});

void test('CrashLoopBackOff: 10 s doubling to 5 min, reset after 10 min', () => {
  const p = pod();
  const spec = specOf(p, 'app');
  const backoff = new CrashBackoff();
  const key = backoffKey(p, spec);
  let finished = NOW;
  const at = (now: number) =>
    computePodActions(
      input(p, observed([ctr(p, 'app', 'exited', { exitCode: 1, finishedAt: finished })]), { now, backoff }),
    );
  // First crash: no entry yet, restart at once; the executor then records the restart.
  assert.deepEqual(at(finished).containersToStart, [0]);
  backoff.next(key, finished);
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    finished += 1000; // the restarted container crashes again a second later
    const blocked = at(finished + 1);
    assert.deepEqual(blocked.containersToStart, []);
    assert.equal(blocked.killPod, false);
    const msg = blocked.backingOff[0]!.message;
    assert.match(msg, /^back-off \S+ restarting failed container=app pod=p_ns\(u1\)$/);
    delays.push(Number(backoff.inBackoffSince(key, finished, finished + 1)) / 1000);
    assert.equal(blocked.backingOff[0]!.retryInMs, delays.at(-1)! * 1000 - 1);
    assert.deepEqual(at(finished + delays.at(-1)! * 1000).containersToStart, [0]);
    backoff.next(key, finished);
  }
  assert.deepEqual(delays, [10, 20, 40, 80, 160, 300, 300]);
  assert.equal(
    at(finished + 1).backingOff[0]!.message,
    'back-off 5m0s restarting failed container=app pod=p_ns(u1)',
  );
  // Ten minutes of good running: the next crash starts again at 10 s.
  finished += 11 * 60_000;
  assert.deepEqual(at(finished + 1).containersToStart, [0]);
  backoff.next(key, finished);
  finished += 1000;
  assert.equal(
    at(finished + 1).backingOff[0]!.message,
    'back-off 10s restarting failed container=app pod=p_ns(u1)',
  );
});

void test('a failing init container backs off too', () => {
  const p = pod({ inits: ['i1'] });
  const backoff = new CrashBackoff();
  backoff.next(backoffKey(p, specOf(p, 'i1')), NOW - 5000);
  const a = computePodActions(
    input(p, observed([ctr(p, 'i1', 'exited', { exitCode: 1, finishedAt: NOW - 1000 })]), { backoff }),
  );
  assert.deepEqual(a.initContainersToStart, []);
  assert.equal(a.backingOff[0]!.name, 'i1');
});

/** A pod whose init containers named `sc*` are sidecars (restartPolicy Always). */
function sidecarPod(inits: string[], policy = 'Always', startupProbe = false): Pod {
  const p = pod({ inits, policy });
  for (const c of p.spec!.initContainers!) {
    if (!c.name.startsWith('sc')) continue;
    c.restartPolicy = 'Always';
    if (startupProbe) c.startupProbe = { exec: { command: ['true'] } };
  }
  return p;
}

void test('sidecars: the next init container starts once a sidecar runs; its startup probe gates that', () => {
  const p = sidecarPod(['sc1', 'i2']);
  const first = computePodActions(input(p, observed([])));
  assert.deepEqual(first.initContainersToStart, [0]);
  const sc = ctr(p, 'sc1', 'running');
  const next = computePodActions(input(p, observed([sc])));
  assert.deepEqual(next.initContainersToStart, [1]);
  assert.deepEqual(next.containersToStart, []);
  const done = computePodActions(input(p, observed([sc, ctr(p, 'i2', 'exited')])));
  assert.deepEqual(done.initContainersToStart, []);
  assert.deepEqual(done.containersToStart, [0]);

  const gated = sidecarPod(['sc1', 'i2'], 'Always', true);
  const gsc = ctr(gated, 'sc1', 'running');
  const waiting = computePodActions(input(gated, observed([gsc]), { startup: () => undefined }));
  assert.deepEqual(waiting.initContainersToStart, []);
  const started = computePodActions(input(gated, observed([gsc]), { startup: () => 'success' }));
  assert.deepEqual(started.initContainersToStart, [1]);
  const failed = computePodActions(input(gated, observed([gsc]), { startup: () => 'failure' }));
  assert.deepEqual(failed.initContainersToStart, [0]);
  assert.equal(failed.initContainersToKill[0]!.message, 'Init container sc1 failed startup probe');
});

void test('sidecars: a sidecar that exits is restarted beside the app, whatever the restart policy', () => {
  const p = sidecarPod(['sc1'], 'Never');
  const a = computePodActions(
    input(p, observed([ctr(p, 'sc1', 'exited', { exitCode: 1 }), ctr(p, 'app', 'running')])),
  );
  assert.deepEqual(a.initContainersToStart, [0]);
  assert.equal(a.killPod, false);
  assert.deepEqual(a.containersToStart, []);
});

void test('sidecars: a failed liveness probe restarts the sidecar; a last sidecar running means initialized', () => {
  const p = sidecarPod(['i1', 'sc2']);
  const sc = ctr(p, 'sc2', 'running');
  const a = computePodActions(
    input(p, observed([ctr(p, 'i1', 'exited'), sc]), {
      liveness: (id) => (id === sc.id ? 'failure' : undefined),
    }),
  );
  assert.deepEqual(a.initContainersToStart, [1]);
  assert.equal(a.initContainersToKill[0]!.reason, 'LivenessProbe');
  assert.deepEqual(a.containersToStart, [0], 'the app starts: the pod was initialized');
});

void test('sidecars: once the app containers are done for good, the pod is killed and sidecars stay down', () => {
  const p = sidecarPod(['sc1'], 'Never');
  const a = computePodActions(input(p, observed([ctr(p, 'sc1', 'running'), ctr(p, 'app', 'exited')])));
  assert.equal(a.killPod, true);
  assert.deepEqual(a.initContainersToStart, []);
});

void test('sidecars: a failed regular init container under Never fails the pod', () => {
  const p = sidecarPod(['sc1', 'i2'], 'Never');
  const a = computePodActions(
    input(p, observed([ctr(p, 'sc1', 'running'), ctr(p, 'i2', 'exited', { exitCode: 2 })])),
  );
  assert.equal(a.killPod, true);
  assert.deepEqual(a.initContainersToStart, []);
});
