import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, ImageRuntimeConfig, PodSandboxConfig } from '../../cri/types.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { buildSpec, containerArgv, containerEnv, type SpecInput } from './spec.js';

const image: ImageRuntimeConfig = {
  entrypoint: ['/entry'],
  cmd: ['default-arg'],
  env: ['PATH=/image/bin', 'FROM_IMAGE=1', 'OVERRIDE=image'],
  workingDir: '/work',
  user: '',
};

function config(extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name: 'c', attempt: 0 },
    image: { image: 'sha256:x' },
    command: [],
    args: [],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: 'c/0.log',
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: {},
      securityContext: {
        privileged: false,
        namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
        readonlyRootfs: false,
        supplementalGroups: [],
        noNewPrivs: false,
      },
    },
    ...extra,
  };
}

const sandboxConfig: PodSandboxConfig = {
  metadata: { name: 'p', uid: 'u', namespace: 'default', attempt: 0 },
  hostname: 'p-host',
  logDirectory: '/logs',
  portMappings: [],
  labels: {},
  annotations: {},
  linux: { cgroupParent: 'tugboat/podu', namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' } },
};

function input(c: ContainerConfig, extra: Partial<SpecInput> = {}): SpecInput {
  return {
    config: c,
    sandboxConfig,
    namespaces: { network: '/var/run/netns/x', ipc: '/state/p/ipc', uts: '/state/p/uts' },
    files: { hosts: '/state/p/hosts', hostname: '/state/p/hostname', resolvConf: '/state/p/resolv.conf' },
    image,
    user: { uid: 0, gid: 0, additionalGids: [] },
    rootfs: '/state/c/rootfs',
    cgroupsPath: '/tugboat/podu/cid',
    availableCapabilities: ALL_CAPABILITIES,
    hostDevices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }],
    ...extra,
  };
}

type Spec = {
  process: {
    args: string[];
    env: string[];
    cwd: string;
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    capabilities: { bounding: string[]; effective: string[] };
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: { destination: string; type: string; source: string; options: string[] }[];
  linux: {
    namespaces: { type: string; path?: string }[];
    cgroupsPath: string;
    resources: Record<string, any>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    devices?: unknown[];
    sysctl?: Record<string, string>;
  };
};

const spec = (i: SpecInput): Spec => buildSpec(i) as unknown as Spec;

test('argv follows the Kubernetes command/args rules', () => {
  assert.deepEqual(containerArgv(config(), image), ['/entry', 'default-arg']);
  assert.deepEqual(containerArgv(config({ args: ['a'] }), image), ['/entry', 'a']);
  assert.deepEqual(containerArgv(config({ command: ['/bin/sh'] }), image), ['/bin/sh']);
  assert.deepEqual(containerArgv(config({ command: ['/bin/sh'], args: ['-c', 'x'] }), image), [
    '/bin/sh',
    '-c',
    'x',
  ]);
});

test('env: image env first, container env overrides, PATH defaulted', () => {
  const env = containerEnv(
    config({
      envs: [
        { key: 'OVERRIDE', value: 'pod' },
        { key: 'NEW', value: 'a=b' },
      ],
    }),
    image,
  );
  assert.deepEqual(env, ['PATH=/image/bin', 'FROM_IMAGE=1', 'OVERRIDE=pod', 'NEW=a=b']);
  assert.ok(containerEnv(config(), { ...image, env: [] }).some((e) => e.startsWith('PATH=/usr/local/sbin')));
});

test('a default container joins the sandbox namespaces with its own pid and mount namespaces', () => {
  const s = spec(input(config()));
  assert.deepEqual(s.linux.namespaces, [
    { type: 'mount' },
    { type: 'pid' },
    { type: 'network', path: '/var/run/netns/x' },
    { type: 'ipc', path: '/state/p/ipc' },
    { type: 'uts', path: '/state/p/uts' },
  ]);
  assert.equal(s.hostname, 'p-host');
  assert.equal(s.linux.cgroupsPath, '/tugboat/podu/cid');
  assert.equal(s.process.cwd, '/work');
  assert.deepEqual(s.root, { path: '/state/c/rootfs', readonly: false });
  assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths?.includes('/proc/sys'));
  assert.deepEqual(s.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
  assert.equal(s.process.noNewPrivileges, false);
  assert.equal(s.process.capabilities.bounding.length, 14);
  assert.ok(!s.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  const etc = s.mounts.filter((m) => m.destination.startsWith('/etc/'));
  assert.deepEqual(
    etc.map((m) => [m.destination, m.source]),
    [
      ['/etc/hosts', '/state/p/hosts'],
      ['/etc/hostname', '/state/p/hostname'],
      ['/etc/resolv.conf', '/state/p/resolv.conf'],
    ],
  );
  const sys = s.mounts.find((m) => m.destination === '/sys');
  assert.ok(sys?.options.includes('ro'));
});

test('host namespaces: no network/uts path means the host namespace, pid node shares the host pid namespace', () => {
  const c = config();
  c.linux.securityContext.namespaceOptions = { network: 'node', pid: 'node', ipc: 'node' };
  const s = spec(input(c, { namespaces: {} }));
  assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }]);
  assert.equal(s.hostname, undefined);
});

test('resources become cgroup limits', () => {
  const s = spec(
    input(
      config({
        linux: {
          ...config().linux,
          resources: {
            cpuShares: 512,
            cpuQuota: 50_000,
            cpuPeriod: 100_000,
            memoryLimitInBytes: 64 << 20,
            pidsLimit: 100,
            oomScoreAdj: 500,
          },
        },
      }),
    ),
  );
  assert.deepEqual(s.linux.resources.cpu, { shares: 512, quota: 50_000, period: 100_000 });
  assert.deepEqual(s.linux.resources.memory, { limit: 64 << 20, swap: 64 << 20 });
  assert.deepEqual(s.linux.resources.pids, { limit: 100 });
  assert.equal(s.process.oomScoreAdj, 500);
});

test('securityContext: user, groups, read-only rootfs, no new privileges, capabilities add and drop', () => {
  const c = config();
  c.linux.securityContext = {
    ...c.linux.securityContext,
    readonlyRootfs: true,
    noNewPrivs: true,
    capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['net_raw', 'CAP_CHOWN'] },
  };
  const s = spec(input(c, { user: { uid: 1000, gid: 2000, additionalGids: [3000] } }));
  assert.deepEqual(s.process.user, { uid: 1000, gid: 2000, additionalGids: [3000] });
  assert.equal(s.root.readonly, true);
  assert.equal(s.process.noNewPrivileges, true);
  const caps = s.process.capabilities.effective;
  assert.ok(caps.includes('CAP_NET_ADMIN'));
  assert.ok(!caps.includes('CAP_NET_RAW'));
  assert.ok(!caps.includes('CAP_CHOWN'));
  assert.ok(caps.includes('CAP_KILL'));
});

test('privileged: every capability, host devices, no masked paths, writable /sys', () => {
  const c = config();
  c.linux.securityContext = { ...c.linux.securityContext, privileged: true, noNewPrivs: true };
  const s = spec(input(c));
  assert.equal(s.process.capabilities.bounding.length, 41);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.equal(s.linux.devices?.length, 1);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options.includes('rw'));
  assert.equal(s.process.noNewPrivileges, false);
});

test('volume mounts: binds with propagation and read-only, tmpfs with a size, and they win over /etc files', () => {
  const s = spec(
    input(
      config({
        mounts: [
          {
            containerPath: '/data',
            hostPath: '/host/data',
            readonly: true,
            propagation: 'host-to-container',
          },
          { containerPath: '/cache', hostPath: '', readonly: false, tmpfsSizeBytes: 1 << 20 },
          { containerPath: '/etc/hosts', hostPath: '/custom/hosts', readonly: false },
        ],
      }),
    ),
  );
  assert.deepEqual(
    s.mounts.find((m) => m.destination === '/data'),
    { destination: '/data', type: 'bind', source: '/host/data', options: ['rbind', 'rslave', 'ro'] },
  );
  assert.deepEqual(s.mounts.find((m) => m.destination === '/cache')?.options, [
    'nosuid',
    'nodev',
    'size=1048576',
    'rw',
  ]);
  assert.deepEqual(
    s.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source),
    ['/custom/hosts'],
  );
});

test('tty, working dir override and sysctls', () => {
  const s = spec(
    input(config({ tty: true, workingDir: '/override' }), {
      sandboxConfig: {
        ...sandboxConfig,
        linux: { ...sandboxConfig.linux, sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } },
      },
    }),
  );
  assert.equal(s.process.terminal, true);
  assert.equal(s.process.cwd, '/override');
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_unprivileged_port_start': '0' });
});

test('oom_score_adj is raised to the lowest the agent may set', () => {
  const guaranteed = config({ linux: { ...config().linux, resources: { oomScoreAdj: -997 } } });
  assert.equal(spec(input(guaranteed)).process.oomScoreAdj, -997);
  assert.equal(spec(input(guaranteed, { minOomScoreAdj: 0 })).process.oomScoreAdj, 0);
  const burstable = config({ linux: { ...config().linux, resources: { oomScoreAdj: 500 } } });
  assert.equal(spec(input(burstable, { minOomScoreAdj: 0 })).process.oomScoreAdj, 500);
});
