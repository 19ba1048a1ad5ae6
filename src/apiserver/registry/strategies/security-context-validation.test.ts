import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { deploymentStrategy } from './deployment.js';
import { validateEphemeralContainersUpdate } from './pod-ephemeral.js';
import { podStrategy } from './pod.js';
import { goSecurityContext } from './security-context-validation.js';
import { create, deploymentOf, lines } from './testing.js';

const pod = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec,
});

const nginx = { name: 'nginx', image: 'nginx:1.25' };
const c = (name: string, securityContext: Record<string, unknown>) => ({
  name,
  image: 'busybox',
  securityContext,
});

const errorsOf = (spec: Record<string, unknown>): string[] => lines(create(podStrategy, pod(spec)).errors);

const RANGE = 'must be between 0 and 2147483647, inclusive';
const HOST_USERS = 'when `pod.Spec.HostUsers` is false';
const SYSCTL_REGEX =
  'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$';
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Go's %#v of a core.SecurityContext with the named pointer fields set. */
const goSC = (...set: string[]): string => {
  const fields: [string, string][] = [
    ['Capabilities', 'core.Capabilities'],
    ['Privileged', 'bool'],
    ['SELinuxOptions', 'core.SELinuxOptions'],
    ['WindowsOptions', 'core.WindowsSecurityContextOptions'],
    ['RunAsUser', 'int64'],
    ['RunAsGroup', 'int64'],
    ['RunAsNonRoot', 'bool'],
    ['ReadOnlyRootFilesystem', 'bool'],
    ['AllowPrivilegeEscalation', 'bool'],
    ['ProcMount', 'core.ProcMountType'],
    ['SeccompProfile', 'core.SeccompProfile'],
    ['AppArmorProfile', 'core.AppArmorProfile'],
  ];
  const parts = fields.map(([f, t]) => `${f}:(*${t})(${set.includes(f) ? '0xc000000000' : 'nil'})`);
  return `core.SecurityContext{${parts.join(', ')}}`;
};

void describe('securityContext validation: accepted specs', () => {
  void test('a fully populated linux pod is valid', () => {
    const spec = {
      os: { name: 'linux' },
      hostNetwork: false,
      shareProcessNamespace: true,
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 3000,
        runAsNonRoot: true,
        fsGroup: 2000,
        supplementalGroups: [0, 4000, 2147483647],
        supplementalGroupsPolicy: 'Strict',
        fsGroupChangePolicy: 'OnRootMismatch',
        seLinuxOptions: { user: 'system_u', role: 'system_r', type: 'spc_t', level: 's0:c123,c456' },
        sysctls: [
          { name: 'kernel.shm_rmid_forced', value: '0' },
          { name: 'net.core.somaxconn', value: '1024' },
          { name: 'net/ipv4/conf/eth0.100/rp_filter', value: '1' },
          { name: 'kernel.msgmax', value: '65536' },
        ],
        seccompProfile: { type: 'RuntimeDefault' },
        appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-apparmor-example-deny-write' },
      },
      initContainers: [c('init', { runAsUser: 0, procMount: 'Default' })],
      containers: [
        c('app', {
          capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'], drop: ['ALL'] },
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsUser: 0,
          runAsGroup: 0,
          seLinuxOptions: { level: 's0' },
          seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
          appArmorProfile: { type: 'RuntimeDefault' },
        }),
        c('agent', { privileged: true, capabilities: { add: ['CAP_SYS_ADMIN'] } }),
        c('escalating', { privileged: true, allowPrivilegeEscalation: true }),
        c('unconfined', { appArmorProfile: { type: 'Unconfined' }, seccompProfile: { type: 'Unconfined' } }),
      ],
    };
    assert.deepEqual(errorsOf(spec), []);
  });

  void test('the defaulted empty securityContext and absent fields are valid', () => {
    const { obj, errors } = create(podStrategy, pod({ containers: [nginx] }));
    assert.deepEqual((obj.spec as any).securityContext, {});
    assert.deepEqual(errors, []);
    assert.deepEqual(
      errorsOf({ securityContext: null, containers: [{ ...nginx, securityContext: null }] }),
      [],
    );
  });

  void test('Unmasked procMount with hostUsers false; hostNetwork sysctls without hostNetwork', () => {
    assert.deepEqual(
      errorsOf({
        hostUsers: false,
        securityContext: { sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] },
        containers: [c('a', { procMount: 'Unmasked' })],
      }),
      [],
    );
  });

  void test('a windows pod with windows options and hostProcess containers', () => {
    assert.deepEqual(
      errorsOf({
        os: { name: 'windows' },
        hostNetwork: true,
        securityContext: {
          windowsOptions: {
            hostProcess: true,
            runAsUserName: 'NT AUTHORITY\\SYSTEM',
            gmsaCredentialSpecName: 'webapp1',
            gmsaCredentialSpec: '{"CmsPlugins":["ActiveDirectory"]}',
          },
        },
        containers: [
          c('a', { windowsOptions: { hostProcess: true, runAsUserName: 'CONTOSO.example.com\\svc-web' } }),
          { name: 'b', image: 'x' },
        ],
      }),
      [],
    );
  });
});

void describe('pod securityContext', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'user and group IDs',
      {
        securityContext: { fsGroup: -5, runAsUser: -1, runAsGroup: 2147483648, supplementalGroups: [1, -1] },
        containers: [c('a', { runAsUser: -1, runAsGroup: 4294967296 })],
      },
      [
        `spec.containers[0].securityContext.runAsUser: Invalid value: -1: ${RANGE}`,
        `spec.containers[0].securityContext.runAsGroup: Invalid value: 4294967296: ${RANGE}`,
        `spec.securityContext.fsGroup: Invalid value: -5: ${RANGE}`,
        `spec.securityContext.runAsUser: Invalid value: -1: ${RANGE}`,
        `spec.securityContext.runAsGroup: Invalid value: 2147483648: ${RANGE}`,
        `spec.securityContext.supplementalGroups[1]: Invalid value: -1: ${RANGE}`,
      ],
    ],
    [
      'shareProcessNamespace with hostPID',
      { shareProcessNamespace: true, hostPID: true, containers: [nginx] },
      [
        'spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled',
      ],
    ],
    [
      'sysctl names, duplicates and host namespaces',
      {
        hostNetwork: true,
        hostIPC: true,
        securityContext: {
          sysctls: [
            { name: '' },
            { name: 'Kernel.Foo' },
            { name: 'kernel.msgmax' },
            { name: 'kernel.msgmax' },
            { name: 'net.core.somaxconn' },
            { name: 'net/ipv4/conf/eth0.100/rp_filter' },
            { name: 'fs.mqueue.msg_max' },
            { name: 'kernel.shmmax' },
            { name: 'vm.swappiness' },
          ],
        },
        containers: [nginx],
      },
      [
        'spec.securityContext.sysctls[0].name: Required value',
        `spec.securityContext.sysctls[1].name: Invalid value: "Kernel.Foo": ${SYSCTL_REGEX}`,
        `spec.securityContext.sysctls[2].name: Invalid value: "kernel.msgmax": may not be specified when 'hostIPC' is true`,
        'spec.securityContext.sysctls[3].name: Duplicate value: "kernel.msgmax"',
        `spec.securityContext.sysctls[3].name: Invalid value: "kernel.msgmax": may not be specified when 'hostIPC' is true`,
        `spec.securityContext.sysctls[4].name: Invalid value: "net.core.somaxconn": may not be specified when 'hostNetwork' is true`,
        `spec.securityContext.sysctls[5].name: Invalid value: "net/ipv4/conf/eth0.100/rp_filter": may not be specified when 'hostNetwork' is true`,
        `spec.securityContext.sysctls[6].name: Invalid value: "fs.mqueue.msg_max": may not be specified when 'hostIPC' is true`,
        `spec.securityContext.sysctls[7].name: Invalid value: "kernel.shmmax": may not be specified when 'hostIPC' is true`,
      ],
    ],
    [
      'sysctl name longer than 253 characters',
      { securityContext: { sysctls: [{ name: `net.${'a'.repeat(250)}` }] }, containers: [nginx] },
      [`spec.securityContext.sysctls[0].name: Invalid value: "net.${'a'.repeat(250)}": ${SYSCTL_REGEX}`],
    ],
    [
      'fsGroupChangePolicy and supplementalGroupsPolicy',
      {
        securityContext: { fsGroupChangePolicy: 'Sometimes', supplementalGroupsPolicy: '' },
        containers: [nginx],
      },
      [
        'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
        'spec.securityContext.supplementalGroupsPolicy: Unsupported value: "": supported values: "Merge", "Strict"',
      ],
    ],
    [
      'seccomp type required',
      { securityContext: { seccompProfile: {} }, containers: [nginx] },
      [
        'spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set',
      ],
    ],
    [
      'appArmorProfile rules',
      {
        securityContext: { appArmorProfile: { type: 'Localhost' } },
        containers: [
          c('a', { appArmorProfile: { type: 'RuntimeDefault', localhostProfile: 'x' } }),
          c('b', { appArmorProfile: { type: 'Complain' } }),
          c('d', { appArmorProfile: { localhostProfile: 'x' } }),
          c('e', { appArmorProfile: { type: 'Localhost', localhostProfile: ' p ' } }),
          c('f', { appArmorProfile: { type: 'Localhost', localhostProfile: '' } }),
          c('g', { appArmorProfile: { type: 'Localhost', localhostProfile: 'a'.repeat(4096) } }),
        ],
      },
      [
        'spec.containers[0].securityContext.appArmorProfile.localhostProfile: Invalid value: "x": can only be set when AppArmor type is Localhost',
        'spec.containers[1].securityContext.appArmorProfile.type: Unsupported value: "Complain": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
        'spec.containers[2].securityContext.appArmorProfile.type: Required value: type is required when appArmorProfile is set',
        'spec.containers[3].securityContext.appArmorProfile.localhostProfile: Invalid value: " p ": must not be padded with whitespace',
        'spec.containers[4].securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost',
        'spec.containers[5].securityContext.appArmorProfile.localhostProfile: Too long: may not be more than 4095 bytes',
        'spec.securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost',
      ],
    ],
    [
      'windowsOptions',
      {
        securityContext: { windowsOptions: { runAsUserName: '', gmsaCredentialSpecName: 'Bad_Name' } },
        containers: [
          c('a', { windowsOptions: { runAsUserName: 'a\\b\\c', gmsaCredentialSpec: '' } }),
          c('b', { windowsOptions: { runAsUserName: 'CONTOSO\\' } }),
          c('d', { windowsOptions: { runAsUserName: '.corp\\us:er' } }),
          c('e', { windowsOptions: { runAsUserName: '. .' } }),
          c('f', { windowsOptions: { runAsUserName: 'tab\there' } }),
          c('g', { windowsOptions: { runAsUserName: 'u'.repeat(105) } }),
          c('h', { windowsOptions: { gmsaCredentialSpec: 'x'.repeat(64 * 1024 + 1) } }),
        ],
      },
      [
        'spec.containers[0].securityContext.windowsOptions.gmsaCredentialSpec: Invalid value: "": gmsaCredentialSpec cannot be an empty string',
        'spec.containers[0].securityContext.windowsOptions.runAsUserName: Invalid value: "a\\\\b\\\\c": runAsUserName cannot contain more than one backslash',
        `spec.containers[1].securityContext.windowsOptions.runAsUserName: Invalid value: "CONTOSO\\\\": runAsUserName's User cannot be empty`,
        `spec.containers[2].securityContext.windowsOptions.runAsUserName: Invalid value: ".corp\\\\us:er": runAsUserName's Domain doesn't match the NetBios nor the DNS format`,
        `spec.containers[2].securityContext.windowsOptions.runAsUserName: Invalid value: ".corp\\\\us:er": runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`,
        `spec.containers[3].securityContext.windowsOptions.runAsUserName: Invalid value: ". .": runAsUserName's User cannot contain only periods or spaces`,
        'spec.containers[4].securityContext.windowsOptions.runAsUserName: Invalid value: "tab\\there": runAsUserName cannot contain control characters',
        `spec.containers[5].securityContext.windowsOptions.runAsUserName: Invalid value: "${'u'.repeat(105)}": runAsUserName's User length must not be longer than 104 characters`,
        `spec.containers[6].securityContext.windowsOptions.gmsaCredentialSpec: Invalid value: "${'x'.repeat(64 * 1024 + 1)}": gmsaCredentialSpec size must be under 64 KiB`,
        `spec.securityContext.windowsOptions.gmsaCredentialSpecName: Invalid value: "Bad_Name": ${SUBDOMAIN}`,
        'spec.securityContext.windowsOptions.runAsUserName: Invalid value: "": runAsUserName cannot be an empty string',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(spec), want));
  }
});

void describe('container securityContext', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'privileged with allowPrivilegeEscalation false',
      { containers: [c('a', { privileged: true, allowPrivilegeEscalation: false })] },
      [
        `spec.containers[0].securityContext: Invalid value: ${goSC('Privileged', 'AllowPrivilegeEscalation')}: cannot set \`allowPrivilegeEscalation\` to false and \`privileged\` to true`,
      ],
    ],
    [
      'CAP_SYS_ADMIN with allowPrivilegeEscalation false',
      {
        initContainers: [
          c('i', { allowPrivilegeEscalation: false, capabilities: { add: ['CAP_SYS_ADMIN', 'SYS_ADMIN'] } }),
        ],
        containers: [nginx],
      },
      [
        `spec.initContainers[0].securityContext: Invalid value: ${goSC('Capabilities', 'AllowPrivilegeEscalation')}: cannot set \`allowPrivilegeEscalation\` to false and \`capabilities.Add\` CAP_SYS_ADMIN`,
      ],
    ],
    [
      'procMount values and hostUsers',
      { containers: [c('a', { procMount: 'Masked' }), c('b', { procMount: 'Unmasked' })] },
      [
        'spec.containers[0].securityContext.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked"',
        'spec.containers[1].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
      ],
    ],
    [
      'errors in upstream order within one securityContext',
      {
        containers: [
          c('a', {
            runAsUser: -1,
            procMount: 'x',
            seccompProfile: { type: 'Strict' },
            privileged: true,
            allowPrivilegeEscalation: false,
            appArmorProfile: { type: 'x' },
          }),
        ],
      },
      [
        `spec.containers[0].securityContext.runAsUser: Invalid value: -1: ${RANGE}`,
        'spec.containers[0].securityContext.procMount: Unsupported value: "x": supported values: "Default", "Unmasked"',
        'spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
        `spec.containers[0].securityContext: Invalid value: ${goSC('Privileged', 'RunAsUser', 'AllowPrivilegeEscalation', 'ProcMount', 'SeccompProfile', 'AppArmorProfile')}: cannot set \`allowPrivilegeEscalation\` to false and \`privileged\` to true`,
        'spec.containers[0].securityContext.appArmorProfile.type: Unsupported value: "x": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(spec), want));
  }

  void test('goSecurityContext renders every field in declaration order', () => {
    assert.equal(goSecurityContext({}), goSC());
    assert.equal(
      goSecurityContext({ privileged: false, seLinuxOptions: {}, runAsUser: null }),
      goSC('Privileged', 'SELinuxOptions'),
    );
  });

  void test('ephemeral containers see the pod hostUsers', () => {
    const base = create(podStrategy, pod({ containers: [nginx] })).obj;
    const withEphemeral = (hostUsers: boolean | undefined): KubeObject => {
      const o = structuredClone(base);
      const spec = o.spec as any;
      if (hostUsers !== undefined) spec.hostUsers = hostUsers;
      spec.ephemeralContainers = [
        {
          name: 'debug',
          image: 'busybox',
          imagePullPolicy: 'Always',
          terminationMessagePolicy: 'File',
          securityContext: { procMount: 'Unmasked' },
        },
      ];
      return o;
    };
    assert.deepEqual(lines(validateEphemeralContainersUpdate(withEphemeral(undefined), base)), [
      'spec.ephemeralContainers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
    ]);
    assert.deepEqual(lines(validateEphemeralContainersUpdate(withEphemeral(false), base)), []);
  });
});

void describe('host namespaces, hostProcess and spec.os', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'hostUsers false forbids host namespaces',
      { hostUsers: false, hostNetwork: true, hostPID: true, hostIPC: true, containers: [nginx] },
      [
        `spec.hostNetwork: Forbidden: ${HOST_USERS}`,
        `spec.HostPID: Forbidden: ${HOST_USERS}`,
        `spec.HostIPC: Forbidden: ${HOST_USERS}`,
      ],
    ],
    [
      'hostProcess must be consistent and needs hostNetwork',
      {
        securityContext: { windowsOptions: { hostProcess: true } },
        initContainers: [c('i', { windowsOptions: { hostProcess: false } })],
        containers: [nginx],
      },
      [
        'spec.initContainers[0].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value must be identical if both are specified, was true',
        'spec: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers',
        'spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers',
      ],
    ],
    [
      'unknown os',
      { os: { name: 'darwin' }, containers: [nginx] },
      ['spec.os: Unsupported value: "darwin": supported values: "linux", "windows"'],
    ],
    ['empty os name', { os: {}, containers: [nginx] }, ['spec.os.name: Required value: cannot be empty']],
    [
      'linux pods take no windows options',
      {
        os: { name: 'linux' },
        securityContext: { windowsOptions: { runAsUserName: 'u' } },
        containers: [c('a', { windowsOptions: {} })],
      },
      [
        'spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
        'spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
      ],
    ],
    [
      'windows pods take no linux options',
      {
        os: { name: 'windows' },
        hostPID: true,
        hostUsers: true,
        shareProcessNamespace: false,
        securityContext: {
          runAsUser: 1,
          seLinuxOptions: {},
          sysctls: [{ name: 'kernel.sem', value: '250' }],
          supplementalGroups: [],
          fsGroupChangePolicy: 'Always',
          windowsOptions: { runAsUserName: 'ContainerUser' },
        },
        containers: [
          c('a', { privileged: false, capabilities: {}, procMount: 'Default', windowsOptions: {} }),
        ],
      },
      [
        'spec.securityContext.seLinuxOptions: Forbidden: cannot be set for a windows pod',
        'spec.hostUsers: Forbidden: cannot be set for a windows pod',
        'spec.hostPID: Forbidden: cannot be set for a windows pod',
        'spec.securityContext.fsGroupChangePolicy: Forbidden: cannot be set for a windows pod',
        'spec.securityContext.sysctls: Forbidden: cannot be set for a windows pod',
        'spec.shareProcessNamespace: Forbidden: cannot be set for a windows pod',
        'spec.securityContext.runAsUser: Forbidden: cannot be set for a windows pod',
        'spec.securityContext.supplementalGroups: Forbidden: cannot be set for a windows pod',
        'spec.containers[0].securityContext.capabilities: Forbidden: cannot be set for a windows pod',
        'spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod',
        'spec.containers[0].securityContext.procMount: Forbidden: cannot be set for a windows pod',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(spec), want));
  }

  void test('pod templates are validated at their own path', () => {
    const deployment = deploymentOf({
      shareProcessNamespace: true,
      hostPID: true,
      containers: [c('a', { runAsUser: -1 })],
    });
    assert.deepEqual(lines(create(deploymentStrategy, deployment).errors), [
      `spec.template.spec.containers[0].securityContext.runAsUser: Invalid value: -1: ${RANGE}`,
      'spec.template.spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled',
    ]);
  });
});
