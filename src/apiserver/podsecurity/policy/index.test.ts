import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import { evaluatePod, type Level, type PolicyVersion } from './index.js';

/** A container that passes every restricted check. */
function restrictedContainer(name: string): Container {
  return {
    name,
    image: 'busybox',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function reasons(level: Level, version: PolicyVersion, spec: PodSpec, meta?: ObjectMeta): string[] {
  return evaluatePod(level, version, meta, spec).map((result) => result.forbiddenReason);
}

/** A pod that fails every baseline check. */
const badMeta: ObjectMeta = {
  annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' },
};
const badSpec: PodSpec = {
  hostNetwork: true,
  volumes: [{ name: 'host', hostPath: { path: '/' } }],
  securityContext: {
    seLinuxOptions: { user: 'root' },
    seccompProfile: { type: 'Unconfined' },
    sysctls: [{ name: 'kernel.msgmax', value: '1' }],
    windowsOptions: { hostProcess: true },
  },
  containers: [
    {
      name: 'a',
      ports: [{ containerPort: 80, hostPort: 80 }],
      securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] }, procMount: 'Unmasked' },
    },
  ],
};

test('privileged allows everything', () => {
  assert.deepEqual(evaluatePod('privileged', 'latest', badMeta, badSpec), []);
  assert.deepEqual(evaluatePod('privileged', { minor: 10 }, badMeta, badSpec), []);
});

test('missing metadata and spec are an empty pod', () => {
  for (const level of ['privileged', 'baseline', 'restricted'] as const) {
    assert.deepEqual(evaluatePod(level, 'latest', undefined, undefined), []);
  }
});

test('a compliant pod passes every level', () => {
  const spec: PodSpec = {
    initContainers: [restrictedContainer('init')],
    containers: [restrictedContainer('app')],
    volumes: [{ name: 'data', emptyDir: {} }],
  };
  for (const level of ['baseline', 'restricted'] as const) {
    assert.deepEqual(evaluatePod(level, 'latest', {}, spec), []);
  }
});

test('baseline failures come in upstream order (sorted check IDs)', () => {
  assert.deepEqual(reasons('baseline', 'latest', badSpec, badMeta), [
    'forbidden AppArmor profile',
    'non-default capabilities',
    'host namespaces',
    'hostPath volumes',
    'hostPort',
    'privileged',
    'procMount',
    'seLinuxOptions',
    'seccompProfile',
    'forbidden sysctls',
    'hostProcess',
  ]);
});

test('restricted replaces overlapping baseline checks and appends its own', () => {
  assert.deepEqual(evaluatePod('restricted', 'latest', badMeta, badSpec), [
    {
      forbiddenReason: 'forbidden AppArmor profile',
      forbiddenDetail:
        'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined""',
    },
    { forbiddenReason: 'host namespaces', forbiddenDetail: 'hostNetwork=true' },
    { forbiddenReason: 'hostPort', forbiddenDetail: 'container "a" uses hostPort 80' },
    {
      forbiddenReason: 'privileged',
      forbiddenDetail: 'container "a" must not set securityContext.privileged=true',
    },
    {
      forbiddenReason: 'procMount',
      forbiddenDetail: 'container "a" must not set securityContext.procMount to "Unmasked"',
    },
    {
      forbiddenReason: 'seLinuxOptions',
      forbiddenDetail: 'pod set forbidden securityContext.seLinuxOptions: user may not be set',
    },
    { forbiddenReason: 'forbidden sysctls', forbiddenDetail: 'kernel.msgmax' },
    {
      forbiddenReason: 'hostProcess',
      forbiddenDetail: 'pod must not set securityContext.windowsOptions.hostProcess=true',
    },
    {
      forbiddenReason: 'allowPrivilegeEscalation != false',
      forbiddenDetail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
    },
    {
      forbiddenReason: 'unrestricted capabilities',
      forbiddenDetail:
        'container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add',
    },
    {
      forbiddenReason: 'restricted volume types',
      forbiddenDetail: 'volume "host" uses restricted volume type "hostPath"',
    },
    {
      forbiddenReason: 'runAsNonRoot != true',
      forbiddenDetail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
    },
    {
      forbiddenReason: 'seccompProfile',
      forbiddenDetail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    },
  ]);
});

test('multi-container details list init, then regular, then ephemeral containers', () => {
  const spec: PodSpec = {
    ephemeralContainers: [{ name: 'debug' }],
    containers: [{ name: 'app' }, restrictedContainer('ok')],
    initContainers: [{ name: 'init' }],
  };
  const details = evaluatePod('restricted', 'latest', {}, spec).map((result) => result.forbiddenDetail);
  assert.deepEqual(details, [
    'containers "init", "app", "debug" must set securityContext.allowPrivilegeEscalation=false',
    'containers "init", "app", "debug" must set securityContext.capabilities.drop=["ALL"]',
    'pod or containers "init", "app", "debug" must set securityContext.runAsNonRoot=true',
    'pod or containers "init", "app", "debug" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  ]);
});

const tcpBuffers: PodSpec = {
  securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 16777216' }] },
  containers: [{ name: 'a' }],
};

for (const [version, allowed] of [
  [{ minor: 31 }, false],
  [{ minor: 32 }, true],
  [{ minor: 45 }, true],
  ['latest', true],
] as const) {
  test(`sysctl net.ipv4.tcp_rmem at ${version === 'latest' ? 'latest' : `v1.${version.minor}`}: ${allowed ? 'allowed' : 'forbidden'}`, () => {
    assert.deepEqual(reasons('baseline', version, tcpBuffers), allowed ? [] : ['forbidden sysctls']);
  });
}

test('restricted checks are absent before their minimum versions', () => {
  const spec: PodSpec = {
    containers: [{ name: 'a', securityContext: { runAsUser: 0, capabilities: { add: ['NET_RAW'] } } }],
  };
  const all = [
    'allowPrivilegeEscalation != false',
    'unrestricted capabilities',
    'runAsNonRoot != true',
    'runAsUser=0',
    'seccompProfile',
  ];
  assert.deepEqual(reasons('restricted', 'latest', spec), all);
  assert.deepEqual(reasons('restricted', { minor: 23 }, spec), all);
  // runAsUser from v1.23.
  assert.deepEqual(
    reasons('restricted', { minor: 22 }, spec),
    all.filter((r) => r !== 'runAsUser=0'),
  );
  // capabilities_restricted from v1.22: before, the baseline capabilities check runs in its place.
  assert.deepEqual(reasons('restricted', { minor: 21 }, spec), [
    'non-default capabilities',
    'allowPrivilegeEscalation != false',
    'runAsNonRoot != true',
    'seccompProfile',
  ]);
  // seccompProfile_restricted from v1.19: before, only the baseline's annotation check, which passes.
  assert.deepEqual(reasons('restricted', { minor: 18 }, spec), [
    'non-default capabilities',
    'allowPrivilegeEscalation != false',
    'runAsNonRoot != true',
  ]);
  // allowPrivilegeEscalation from v1.8.
  assert.deepEqual(reasons('restricted', { minor: 7 }, spec), [
    'non-default capabilities',
    'runAsNonRoot != true',
  ]);
});

test('seccomp annotations are checked before v1.19, the field from v1.19', () => {
  const meta: ObjectMeta = { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } };
  const spec: PodSpec = {
    securityContext: { seccompProfile: { type: 'Unconfined' } },
    containers: [{ name: 'a' }],
  };
  assert.deepEqual(evaluatePod('baseline', { minor: 18 }, meta, spec), [
    {
      forbiddenReason: 'seccompProfile',
      forbiddenDetail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
    },
  ]);
  assert.deepEqual(evaluatePod('baseline', { minor: 19 }, meta, spec), [
    {
      forbiddenReason: 'seccompProfile',
      forbiddenDetail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    },
  ]);
});

test('windows pods are exempt from Linux-only restricted checks from v1.25', () => {
  const spec: PodSpec = {
    os: { name: 'windows' },
    containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }],
  };
  assert.deepEqual(reasons('restricted', { minor: 25 }, spec), []);
  assert.deepEqual(reasons('restricted', 'latest', spec), []);
  assert.deepEqual(reasons('restricted', { minor: 24 }, spec), [
    'allowPrivilegeEscalation != false',
    'unrestricted capabilities',
    'seccompProfile',
  ]);
});

test('SELinux container_engine_t is allowed from v1.31', () => {
  const spec: PodSpec = {
    containers: [{ name: 'a', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }],
  };
  assert.deepEqual(reasons('baseline', { minor: 30 }, spec), ['seLinuxOptions']);
  assert.deepEqual(reasons('baseline', { minor: 31 }, spec), []);
});
