import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, expandCommand, makeEnvironment, type EnvInput } from './container-env.js';
import { effectiveArgv, expand, mappingFor } from './expansion.js';

const pod: Pod = {
  metadata: {
    name: 'web',
    namespace: 'ns',
    uid: 'uid-1',
    labels: { app: 'web', tier: 'front' },
    annotations: { note: 'a "quoted" value' },
  },
  spec: { nodeName: 'node-a', serviceAccountName: 'sa', containers: [] },
};

const configMaps: Record<string, ConfigMap> = {
  cfg: { metadata: { name: 'cfg' }, data: { COLOR: 'blue', SIZE: 'L', 'bad key': 'x', '1BAD': 'y' } },
};
const secrets: Record<string, Secret> = {
  creds: { metadata: { name: 'creds' }, data: { PASSWORD: Buffer.from('s3cret').toString('base64') } },
};

function env(container: Partial<Container>, extra: Partial<EnvInput> = {}) {
  return makeEnvironment({
    pod,
    container: { name: 'c', ...container },
    podIPs: ['10.42.0.9', 'fd00::9'],
    hostIPs: ['192.0.2.1'],
    allocatable: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi' },
    configMap: (n) => configMaps[n],
    secret: (n) => secrets[n],
    ...extra,
  });
}

const asObject = (kv: { key: string; value: string }[]) =>
  Object.fromEntries(kv.map((e) => [e.key, e.value]));

void test('$(VAR) expansion as upstream', () => {
  const m = mappingFor(
    new Map([
      ['A', 'x'],
      ['EMPTY', ''],
    ]),
  );
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['pre-$(A)-post', 'pre-x-post'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$x'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['a$', 'a$'],
    ['$(EMPTY)z', 'z'],
    ['$()', '$()'],
  ];
  for (const [input, want] of cases) assert.equal(expand(input, m), want, input);
});

void test('plain values, expansion against earlier variables, later values override envFrom', () => {
  const { env: e } = env({
    envFrom: [{ configMapRef: { name: 'cfg' } }],
    env: [
      { name: 'A', value: 'one' },
      { name: 'B', value: '$(A)-two-$(COLOR)-$(LATER)' },
      { name: 'COLOR', value: 'red' },
      { name: 'LATER', value: 'x' },
    ],
  });
  const o = asObject(e);
  assert.equal(o.B, 'one-two-blue-$(LATER)');
  assert.equal(o.COLOR, 'red');
  assert.equal(o.SIZE, 'L');
});

void test('envFrom with a prefix; invalid names are skipped with a warning', () => {
  const r = env({
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
  });
  const o = asObject(r.env);
  assert.deepEqual(o, { CFG_COLOR: 'blue', CFG_SIZE: 'L', CFG_1BAD: 'y', PASSWORD: 's3cret' });
  assert.deepEqual(r.warnings, [
    {
      reason: 'InvalidEnvironmentVariableNames',
      message:
        'Keys [CFG_bad key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
    },
  ]);
  const unprefixed = env({ envFrom: [{ configMapRef: { name: 'cfg' } }] });
  assert.match(unprefixed.warnings[0]!.message, /^Keys \[1BAD, bad key\] from the EnvFrom configMap ns\/cfg/);
});

void test('configMapKeyRef and secretKeyRef, with optional', () => {
  const o = asObject(
    env({
      env: [
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'COLOR' } } },
        { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'O1', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'O2', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
        { name: 'O3', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
      ],
    }).env,
  );
  assert.deepEqual(o, { C: 'blue', P: 's3cret' });
});

void test('missing required objects and keys: CreateContainerConfigError with upstream messages', () => {
  const cases: [Partial<Container>, string][] = [
    [
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] },
      'configmap "nope" not found',
    ],
    [
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
      "couldn't find key k in ConfigMap ns/cfg",
    ],
    [
      { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] },
      'secret "nope" not found',
    ],
    [
      { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] },
      "couldn't find key k in Secret ns/creds",
    ],
    [{ envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found'],
    [{ envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
  ];
  for (const [c, message] of cases) {
    assert.throws(
      () => env(c),
      (err: unknown) =>
        err instanceof ContainerConfigError &&
        err.message === message &&
        err.reason === 'CreateContainerConfigError',
      message,
    );
  }
  assert.deepEqual(env({ envFrom: [{ configMapRef: { name: 'nope', optional: true } }] }).env, []);
});

void test('fieldRef (downward API)', () => {
  const field = (fieldPath: string) => ({ name: 'V', valueFrom: { fieldRef: { fieldPath } } });
  const value = (fieldPath: string) => asObject(env({ env: [field(fieldPath)] }).env).V;
  assert.equal(value('metadata.name'), 'web');
  assert.equal(value('metadata.namespace'), 'ns');
  assert.equal(value('metadata.uid'), 'uid-1');
  assert.equal(value("metadata.labels['tier']"), 'front');
  assert.equal(value('metadata.labels'), 'app="web"\ntier="front"');
  assert.equal(value('metadata.annotations'), 'note="a \\"quoted\\" value"');
  assert.equal(value('spec.nodeName'), 'node-a');
  assert.equal(value('spec.serviceAccountName'), 'sa');
  assert.equal(value('status.podIP'), '10.42.0.9');
  assert.equal(value('status.podIPs'), '10.42.0.9,fd00::9');
  assert.equal(value('status.hostIP'), '192.0.2.1');
  assert.throws(() => value('spec.bogus'), ContainerConfigError);
});

void test('resourceFieldRef with divisor, defaulting limits to node allocatable', () => {
  const res = (resource: string, divisor?: string) => ({
    name: 'V',
    valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } },
  });
  const value = (c: Partial<Container>, resource: string, divisor?: string) =>
    asObject(env({ ...c, env: [res(resource, divisor)] }).env).V;
  const limited = { resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } } };
  assert.equal(value(limited, 'limits.cpu'), '1'); // ceil(0.5)
  assert.equal(value(limited, 'limits.cpu', '1m'), '500');
  assert.equal(value(limited, 'requests.cpu', '1m'), '250');
  assert.equal(value(limited, 'limits.memory'), String(64 * 1024 * 1024));
  assert.equal(value(limited, 'limits.memory', '1Mi'), '64');
  assert.equal(value({}, 'limits.cpu'), '2');
  assert.equal(value({}, 'limits.memory', '1Gi'), '4');
  assert.equal(value({}, 'requests.memory'), '0');
});

void test('command and args expand $(VAR) from the final env; image entrypoint rules', () => {
  const c: Container = { name: 'c', command: ['sh', '-c', 'echo $(MSG) $$(MSG)'], args: ['$(NOPE)'] };
  assert.deepEqual(expandCommand(c, [{ key: 'MSG', value: 'hi' }]), {
    command: ['sh', '-c', 'echo hi $(MSG)'],
    args: ['$(NOPE)'],
  });
  const image = { entrypoint: ['/entry'], cmd: ['--default'] };
  assert.deepEqual(effectiveArgv([], [], image), ['/entry', '--default']);
  assert.deepEqual(effectiveArgv([], ['--x'], image), ['/entry', '--x']);
  assert.deepEqual(effectiveArgv(['/bin/sh'], [], image), ['/bin/sh']);
  assert.deepEqual(effectiveArgv(['/bin/sh'], ['-c', 'x'], image), ['/bin/sh', '-c', 'x']);
});

void test('service env vars come last and lose to the container', () => {
  const serviceEnv = new Map([
    ['KUBERNETES_SERVICE_HOST', '10.43.0.1'],
    ['A', 'svc'],
  ]);
  const o = asObject(
    env(
      {
        env: [
          { name: 'A', value: 'mine' },
          { name: 'H', value: '$(KUBERNETES_SERVICE_HOST)' },
        ],
      },
      { serviceEnv },
    ).env,
  );
  assert.deepEqual(o, { A: 'mine', H: '10.43.0.1', KUBERNETES_SERVICE_HOST: '10.43.0.1' });
});
