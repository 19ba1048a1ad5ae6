import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, LimitRange, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { applyContainerDefaults, claimViolations, podViolations } from './limit-ranger.js';

type Item = NonNullable<NonNullable<LimitRange['spec']>['limits']>[number];
const range = (...limits: Item[]): LimitRange => ({ metadata: { name: 'limits' }, spec: { limits } });
const container = (name: string, resources: Container['resources'] = {}): Container => ({
  name,
  image: 'busybox',
  resources,
});
const pod = (containers: Container[], initContainers: Container[] = []): Pod => ({
  metadata: { name: 'web' },
  spec: { containers, ...(initContainers.length ? { initContainers } : {}) },
});

void test('defaults fill only what a container leaves unset, and the annotation says what was set', () => {
  const limits = range(
    {
      type: 'Container',
      default: { cpu: '500m', memory: '256Mi' },
      defaultRequest: { cpu: '100m', memory: '128Mi' },
    },
    { type: 'Pod', max: { cpu: '4' } },
  );
  const p = pod(
    [
      container('app'),
      container('tuned', { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '1Gi' } }),
    ],
    [container('init', { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } })],
  );
  applyContainerDefaults(limits, p);
  assert.deepEqual(p.spec!.containers[0]!.resources, {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  });
  assert.deepEqual(p.spec!.containers[1]!.resources, {
    requests: { cpu: '250m', memory: '128Mi' },
    limits: { cpu: '1', memory: '1Gi' },
  });
  assert.deepEqual(p.spec!.initContainers![0]!.resources, {
    requests: { memory: '64Mi', cpu: '100m' },
    limits: { memory: '64Mi', cpu: '500m' },
  });
  assert.equal(
    p.metadata!.annotations!['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; ' +
      'memory request for container tuned; cpu request for init container init; cpu limit for init container init',
  );
});

void test('no defaults to give: the pod is left as it is, without an annotation', () => {
  const p = pod([container('app', { requests: { cpu: '1' }, limits: { cpu: '1' } })]);
  applyContainerDefaults(
    range({ type: 'Container', default: { cpu: '2' }, defaultRequest: { cpu: '1' } }),
    p,
  );
  applyContainerDefaults(range({ type: 'Pod', max: { cpu: '2' } }), p);
  assert.equal(p.metadata!.annotations, undefined);
  assert.deepEqual(p.spec!.containers[0]!.resources, { requests: { cpu: '1' }, limits: { cpu: '1' } });
});

void test('container min and max: missing values, requests and limits out of bounds, upstream wording', () => {
  const limits = range({
    type: 'Container',
    min: { cpu: '100m', memory: '64Mi' },
    max: { cpu: '2', memory: '1Gi' },
  });
  assert.deepEqual(
    podViolations(
      limits,
      pod([
        container('ok', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '2', memory: '1Gi' } }),
      ]),
    ),
    [],
  );
  assert.deepEqual(podViolations(limits, pod([container('bare')])), [
    'minimum cpu usage per Container is 100m.  No request is specified',
    'minimum memory usage per Container is 64Mi.  No request is specified',
    'maximum cpu usage per Container is 2.  No limit is specified',
    'maximum memory usage per Container is 1Gi.  No limit is specified',
  ]);
  assert.deepEqual(
    podViolations(
      limits,
      pod([
        container('off', {
          requests: { cpu: '50m', memory: '2Gi' },
          limits: { cpu: '0.05', memory: '1536Mi' },
        }),
      ]),
    ),
    [
      'minimum cpu usage per Container is 100m, but request is 50m',
      'maximum memory usage per Container is 1Gi, but limit is 1536Mi',
    ],
    'one failure per bound: the request is looked at before the limit',
  );
  assert.deepEqual(
    podViolations(
      limits,
      pod(
        [],
        [
          container('init', {
            requests: { cpu: '10m', memory: '64Mi' },
            limits: { cpu: '1', memory: '64Mi' },
          }),
        ],
      ),
    ),
    ['minimum cpu usage per Container is 100m, but request is 10m'],
    'init containers are held to the Container bounds too',
  );
});

void test('limit to request ratio: thousandths count, zero or missing values are refused', () => {
  const limits = range({ type: 'Container', maxLimitRequestRatio: { cpu: '1500m' } });
  const withCpu = (request: string | undefined, limit: string | undefined): Pod =>
    pod([
      container('c', {
        ...(request ? { requests: { cpu: request } } : {}),
        ...(limit ? { limits: { cpu: limit } } : {}),
      }),
    ]);
  assert.deepEqual(podViolations(limits, withCpu('200m', '300m')), []);
  assert.deepEqual(podViolations(limits, withCpu('200m', '400m')), [
    'cpu max limit to request ratio per Container is 1500m, but provided ratio is 2.000000',
  ]);
  assert.deepEqual(podViolations(limits, withCpu(undefined, '400m')), [
    'cpu max limit to request ratio per Container is 1500m, but no request is specified or request is 0',
  ]);
  assert.deepEqual(podViolations(limits, withCpu('0', '400m')), [
    'cpu max limit to request ratio per Container is 1500m, but no request is specified or request is 0',
  ]);
  assert.deepEqual(podViolations(limits, withCpu('300m', undefined)), [
    'cpu max limit to request ratio per Container is 1500m, but no limit is specified or limit is 0',
  ]);
  assert.deepEqual(
    podViolations(
      range({ type: 'Container', maxLimitRequestRatio: { memory: '2' } }),
      pod([container('c', { requests: { memory: '300Mi' }, limits: { memory: '1Gi' } })]),
    ),
    ['memory max limit to request ratio per Container is 2, but provided ratio is 3.413333'],
  );
});

void test('pod bounds hold the whole pod: containers add up, sidecars included, no overhead', () => {
  const limits = range({ type: 'Pod', max: { cpu: '1', memory: '1Gi' }, min: { cpu: '200m' } });
  const p = pod(
    [container('a', { requests: { cpu: '300m' }, limits: { cpu: '600m', memory: '512Mi' } })],
    [
      container('sidecar', { requests: { cpu: '100m' }, limits: { cpu: '500m', memory: '256Mi' } }),
      container('init', { requests: { cpu: '50m' }, limits: { cpu: '100m', memory: '1Gi' } }),
    ],
  );
  p.spec!.initContainers![0]!.restartPolicy = 'Always';
  p.spec!.overhead = { cpu: '10' };
  assert.deepEqual(podViolations(limits, p), [
    'maximum cpu usage per Pod is 1, but limit is 1100m',
    'maximum memory usage per Pod is 1Gi, but limit is 1280Mi',
  ]);
  assert.deepEqual(podViolations(range({ type: 'Pod', min: { cpu: '1' } }), p), [
    'minimum cpu usage per Pod is 1, but request is 400m',
  ]);
});

void test('claims: the storage request between min and max; limits are not the user’s', () => {
  const limits = range(
    { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
    { type: 'Container', max: { cpu: '1' } },
  );
  const claim = (request?: string, limit?: string): PersistentVolumeClaim => ({
    metadata: { name: 'data' },
    spec: {
      resources: {
        ...(request ? { requests: { storage: request } } : {}),
        ...(limit ? { limits: { storage: limit } } : {}),
      },
    },
  });
  assert.deepEqual(claimViolations(limits, claim('5Gi', '100Gi')), []);
  assert.deepEqual(claimViolations(limits, claim('500Mi')), [
    'minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  ]);
  assert.deepEqual(claimViolations(limits, claim('20Gi')), [
    'maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
  ]);
  assert.deepEqual(claimViolations(limits, claim()), [
    'minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified',
    'maximum storage usage per PersistentVolumeClaim is 10Gi.  No request is specified',
  ]);
  assert.deepEqual(podViolations(limits, pod([container('c', { limits: { cpu: '1' } })])), []);
});
