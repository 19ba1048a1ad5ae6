import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../util/clock.js';
import type { StartFailure } from './container-statuses.js';
import { generatePodStatus, type PodStatusInput } from './pod-status.js';
import type { ObservedContainer, ObservedPod } from './runtime-state.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(
  opts: { inits?: string[]; containers?: string[]; policy?: string; readiness?: boolean } = {},
): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: {
      restartPolicy: opts.policy ?? 'Always',
      containers: (opts.containers ?? ['app']).map((name) => ({
        name,
        image: 'busybox',
        ...(opts.readiness ? { readinessProbe: { exec: { command: ['true'] } } } : {}),
      })),
      ...(opts.inits ? { initContainers: opts.inits.map((name) => ({ name, image: 'busybox' })) } : {}),
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(T0 - 5000) }],
    },
  };
}

let seq = 0;
function ctr(
  name: string,
  state: ObservedContainer['state'],
  extra: Partial<ObservedContainer> = {},
): ObservedContainer {
  seq++;
  return {
    id: `id${seq}`,
    name,
    state,
    restartCount: 0,
    hash: '',
    createdAt: T0 + seq * 1000,
    startedAt: T0 + seq * 1000 + 100,
    image: 'docker.io/library/busybox:latest',
    imageRef: 'sha256:abc',
    ...(state === 'exited' ? { finishedAt: T0 + seq * 1000 + 500, exitCode: 0 } : {}),
    ...extra,
  };
}

function observed(containers: ObservedContainer[], sandbox = true): ObservedPod {
  return {
    uid: 'u1',
    sandboxes: sandbox
      ? [
          {
            id: 'sb',
            metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt: 0 },
            state: 'ready',
            createdAt: T0,
            network: { ip: '10.42.0.7', additionalIps: [] },
            labels: {},
            annotations: {},
          },
        ]
      : [],
    containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
  };
}

function status(
  p: Pod,
  o: ObservedPod,
  extra: Partial<PodStatusInput> & { failures?: Record<string, StartFailure> } = {},
) {
  const failures = extra.failures ?? {};
  return generatePodStatus({
    pod: p,
    observed: o,
    runtimeName: 'fake',
    hostIPs: ['192.0.2.10'],
    now: T0 + 60_000,
    startFailure: (n) => failures[n],
    readiness: () => undefined,
    startup: () => undefined,
    ...extra,
  });
}

const cond = (s: { conditions?: PodCondition[] }, type: string) => s.conditions?.find((c) => c.type === type);

void test('a new pod without a sandbox is Pending with ContainerCreating', () => {
  const s = status(pod(), observed([], false));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(s.containerStatuses?.[0]?.ready, false);
  assert.equal(s.containerStatuses?.[0]?.started, false);
  assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
  assert.equal(s.podIP, undefined);
  assert.equal(s.hostIP, '192.0.2.10');
  assert.equal(s.startTime, rfc3339(T0 + 60_000));
  assert.equal(s.qosClass, 'BestEffort');
});

void test('a running pod: Running, Ready, IPs, container status fields', () => {
  const c = ctr('app', 'running', { restartCount: 2 });
  const s = status(pod(), observed([c]));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.42.0.7');
  assert.deepEqual(s.podIPs, [{ ip: '10.42.0.7' }]);
  assert.deepEqual(s.hostIPs, [{ ip: '192.0.2.10' }]);
  assert.deepEqual(s.containerStatuses, [
    {
      name: 'app',
      restartCount: 2,
      image: 'docker.io/library/busybox:latest',
      imageID: 'sha256:abc',
      containerID: `fake://${c.id}`,
      ready: true,
      started: true,
      state: { running: { startedAt: rfc3339(c.startedAt!) } },
    },
  ]);
  assert.deepEqual(
    s.conditions?.map((x) => [x.type, x.status]),
    [
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ],
  );
  // PodScheduled keeps its transition time; the others are new.
  assert.equal(cond(s, 'PodScheduled')?.lastTransitionTime, rfc3339(T0 - 5000));
  assert.equal(cond(s, 'Ready')?.lastTransitionTime, rfc3339(T0 + 60_000));
});

void test('a readiness probe gates Ready', () => {
  const c = ctr('app', 'running');
  const p = pod({ readiness: true, containers: ['app', 'b'] });
  const b = ctr('b', 'running');
  const notYet = status(p, observed([c, b]));
  assert.equal(notYet.containerStatuses?.[0]?.ready, false);
  assert.deepEqual(cond(notYet, 'Ready'), {
    type: 'Ready',
    status: 'False',
    reason: 'ContainersNotReady',
    message: 'containers with unready status: [app b]',
    lastTransitionTime: rfc3339(T0 + 60_000),
  });
  const ready = status(p, observed([c, b]), { readiness: () => 'success' });
  assert.equal(cond(ready, 'Ready')?.status, 'True');
  assert.equal(cond(ready, 'ContainersReady')?.status, 'True');
});

void test('a startup probe keeps started false until it succeeds', () => {
  const p = pod();
  p.spec!.containers[0]!.startupProbe = { exec: { command: ['true'] } };
  const c = ctr('app', 'running');
  assert.equal(status(p, observed([c])).containerStatuses?.[0]?.started, false);
  assert.equal(status(p, observed([c]), { startup: () => 'success' }).containerStatuses?.[0]?.started, true);
});

const terminations: { code: number; reason?: string; want: string; policy: string; phase: string }[] = [
  { code: 0, want: 'Completed', policy: 'Never', phase: 'Succeeded' },
  { code: 1, want: 'Error', policy: 'Never', phase: 'Failed' },
  { code: 137, reason: 'OOMKilled', want: 'OOMKilled', policy: 'Never', phase: 'Failed' },
  { code: 0, want: 'Completed', policy: 'OnFailure', phase: 'Succeeded' },
];
for (const t of terminations) {
  void test(`exit ${t.code} under ${t.policy}: terminated ${t.want}, phase ${t.phase}`, () => {
    const c = ctr('app', 'exited', { exitCode: t.code, ...(t.reason ? { reason: t.reason } : {}) });
    const s = status(pod({ policy: t.policy }), observed([c]));
    assert.equal(s.phase, t.phase);
    assert.deepEqual(s.containerStatuses?.[0]?.state, {
      terminated: {
        exitCode: t.code,
        reason: t.want,
        startedAt: rfc3339(c.startedAt!),
        finishedAt: rfc3339(c.finishedAt!),
        containerID: `fake://${c.id}`,
      },
    });
    if (t.phase === 'Succeeded') {
      assert.equal(cond(s, 'Ready')?.reason, 'PodCompleted');
      assert.equal(cond(s, 'ContainersReady')?.reason, 'PodCompleted');
    }
  });
}

void test('CrashLoopBackOff: waiting with the back-off message, lastState the previous run', () => {
  const prev = ctr('app', 'exited', { exitCode: 1, restartCount: 0 });
  const last = ctr('app', 'exited', { exitCode: 1, restartCount: 1 });
  const message = 'back-off 10s restarting failed container=app pod=p_ns(u1)';
  const s = status(pod(), observed([prev, last]), {
    failures: { app: { reason: 'CrashLoopBackOff', message } },
  });
  const cs = s.containerStatuses![0]!;
  assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message } });
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.containerID, `fake://${last.id}`);
  assert.equal(cs.restartCount, 1);
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready')?.status, 'False');
});

void test('image pull and config errors show as waiting reasons', () => {
  for (const reason of [
    'ErrImagePull',
    'ImagePullBackOff',
    'CreateContainerConfigError',
    'CreateContainerError',
  ]) {
    const s = status(pod(), observed([]), { failures: { app: { reason, message: 'why' } } });
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason, message: 'why' } });
    assert.equal(s.phase, 'Pending');
  }
});

void test('init containers: PodInitializing, Initialized=False with the incomplete ones, then True', () => {
  const p = pod({ inits: ['i1', 'i2'] });
  const s = status(p, observed([ctr('i1', 'running')]));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual(s.initContainerStatuses?.[1]?.state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(s.initContainerStatuses?.[0]?.started, true);
  const init = cond(s, 'Initialized');
  assert.equal(init?.status, 'False');
  assert.equal(init?.reason, 'ContainersNotInitialized');
  assert.equal(init?.message, 'containers with incomplete status: [i1 i2]');

  const done = status(p, observed([ctr('i1', 'exited'), ctr('i2', 'exited'), ctr('app', 'running')]));
  assert.equal(done.phase, 'Running');
  assert.equal(cond(done, 'Initialized')?.status, 'True');
  assert.deepEqual(
    done.initContainerStatuses?.map((x) => [x.name, x.ready, x.state?.terminated?.reason]),
    [
      ['i1', true, 'Completed'],
      ['i2', true, 'Completed'],
    ],
  );
});

void test('a failed init container fails a Never pod', () => {
  const s = status(pod({ inits: ['i1'], policy: 'Never' }), observed([ctr('i1', 'exited', { exitCode: 3 })]));
  assert.equal(s.phase, 'Failed');
});

void test('Always: all containers down is still Running unless the pod is terminal', () => {
  const c = ctr('app', 'exited', { exitCode: 143 });
  assert.equal(status(pod(), observed([c])).phase, 'Running');
  assert.equal(status(pod(), observed([c]), { podIsTerminal: true }).phase, 'Failed');
});

void test('a terminal phase is never left', () => {
  const p = pod();
  p.status!.phase = 'Failed';
  assert.equal(status(p, observed([ctr('app', 'running')])).phase, 'Failed');
});

void test('a container that vanished while running is reported terminated with ContainerStatusUnknown', () => {
  const p = pod();
  p.status!.containerStatuses = [
    { name: 'app', image: 'busybox', imageID: '', ready: true, restartCount: 1, state: { running: {} } },
  ];
  const s = status(p, observed([]));
  assert.equal(s.containerStatuses?.[0]?.lastState?.terminated?.reason, 'ContainerStatusUnknown');
  assert.equal(s.containerStatuses?.[0]?.restartCount, 2);
});

void test('condition transition times stay while the status stays', () => {
  const p = pod();
  p.status!.conditions!.push({ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(T0) });
  const s = status(p, observed([ctr('app', 'running')]));
  assert.equal(cond(s, 'Ready')?.lastTransitionTime, rfc3339(T0));
  p.status!.startTime = rfc3339(T0 - 1000);
  assert.equal(status(p, observed([])).startTime, rfc3339(T0 - 1000));
});

void test('readiness gates', () => {
  const p = pod();
  p.spec!.readinessGates = [{ conditionType: 'example.com/lb' }];
  const s = status(p, observed([ctr('app', 'running')]));
  assert.equal(cond(s, 'Ready')?.reason, 'ReadinessGatesNotReady');
  assert.equal(cond(s, 'ContainersReady')?.status, 'True');
});
