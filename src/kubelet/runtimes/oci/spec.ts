/**
 * Builds an OCI runtime-spec config.json (runtime-spec 1.0) for one container from its CRI config, the
 * sandbox it joins, the image's runtime config and the resolved user. Pure: all host facts come in as input.
 */
import type { ContainerConfig, ImageRuntimeConfig, Mount, PodSandboxConfig } from '../../cri/types.js';
import { effectiveCapabilities } from './capabilities.js';
import type { OciSeccomp } from './seccomp.js';
import type { ProcessUser } from './user.js';

export interface SandboxNamespaces {
  /** Paths of the sandbox's namespaces to join; absent = the host's (hostNetwork, hostIPC). */
  network?: string;
  ipc?: string;
  uts?: string;
  /** PID namespace to join (an ephemeral container targeting another container); absent = a new one. */
  pid?: string;
}

export interface SandboxFiles {
  hosts: string;
  hostname: string;
  resolvConf: string;
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface SpecInput {
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
  namespaces: SandboxNamespaces;
  files: SandboxFiles;
  image: ImageRuntimeConfig;
  user: ProcessUser;
  rootfs: string;
  cgroupsPath: string;
  /** Capabilities the agent itself holds (its bounding set): a container cannot get more. */
  availableCapabilities: readonly string[];
  /** Host devices given to privileged containers. */
  hostDevices: LinuxDevice[];
  /** The system call filter (see seccomp.ts); none when undefined. */
  seccomp?: OciSeccomp;
  /**
   * The lowest oom_score_adj the agent may give (its own, without CAP_SYS_RESOURCE): runc cannot lower it
   * further, so a Guaranteed pod's -997 is raised to it rather than failing the create. Default -1000.
   */
  minOomScoreAdj?: number;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Kubernetes rules: command replaces the entrypoint, args replace cmd. */
export function containerArgv(config: ContainerConfig, image: ImageRuntimeConfig): string[] {
  if (config.command.length > 0) return [...config.command, ...config.args];
  if (config.args.length > 0) return [...image.entrypoint, ...config.args];
  return [...image.entrypoint, ...image.cmd];
}

/** Image env first, container env overrides by name; PATH defaults as in Docker. */
export function containerEnv(config: ContainerConfig, image: ImageRuntimeConfig): string[] {
  const env = new Map<string, string>();
  for (const kv of image.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  for (const { key, value } of config.envs) env.set(key, value);
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

function defaultMounts(privileged: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'],
    },
  ];
}

const PROPAGATION: Record<string, string> = {
  private: 'rprivate',
  'host-to-container': 'rslave',
  bidirectional: 'rshared',
};

function volumeMount(m: Mount): OciMount {
  if (m.tmpfsSizeBytes !== undefined) {
    const opts = ['nosuid', 'nodev', `size=${m.tmpfsSizeBytes}`, m.readonly ? 'ro' : 'rw'];
    return { destination: m.containerPath, type: 'tmpfs', source: 'tmpfs', options: opts };
  }
  const options = ['rbind', PROPAGATION[m.propagation ?? 'private'] ?? 'rprivate', m.readonly ? 'ro' : 'rw'];
  return { destination: m.containerPath, type: 'bind', source: m.hostPath, options };
}

function etcMount(destination: string, source: string): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', 'rw'] };
}

/** The capabilities a container gets: all the agent holds when privileged, else the default set ± add/drop. */
export function containerCapabilities(config: ContainerConfig, available: readonly string[]): string[] {
  const sc = config.linux.securityContext;
  return sc.privileged
    ? effectiveCapabilities(['ALL'], [], available)
    : effectiveCapabilities(
        sc.capabilities?.addCapabilities ?? [],
        sc.capabilities?.dropCapabilities ?? [],
        available,
      );
}

export function buildSpec(input: SpecInput): Record<string, unknown> {
  const { config, sandboxConfig, namespaces, user, image } = input;
  const sc = config.linux.securityContext;
  const privileged = sc.privileged;
  const caps = containerCapabilities(config, input.availableCapabilities);
  const r = config.linux.resources;

  const userMounts = config.mounts.map(volumeMount);
  const taken = new Set(userMounts.map((m) => m.destination));
  const etc = [
    etcMount('/etc/hosts', input.files.hosts),
    etcMount('/etc/hostname', input.files.hostname),
    etcMount('/etc/resolv.conf', input.files.resolvConf),
  ].filter((m) => !taken.has(m.destination));

  const nsList: { type: string; path?: string }[] = [{ type: 'mount' }];
  if (namespaces.pid) nsList.push({ type: 'pid', path: namespaces.pid });
  else if (sc.namespaceOptions.pid !== 'node') nsList.push({ type: 'pid' });
  if (namespaces.network) nsList.push({ type: 'network', path: namespaces.network });
  if (namespaces.ipc) nsList.push({ type: 'ipc', path: namespaces.ipc });
  if (namespaces.uts) nsList.push({ type: 'uts', path: namespaces.uts });

  const linux: Record<string, unknown> = {
    namespaces: nsList,
    cgroupsPath: input.cgroupsPath,
    resources: {
      devices: [{ allow: privileged, access: 'rwm' }],
      ...(r.memoryLimitInBytes
        ? { memory: { limit: r.memoryLimitInBytes, swap: r.memoryLimitInBytes } }
        : {}),
      ...(r.cpuShares || r.cpuQuota || r.cpuPeriod
        ? {
            cpu: {
              ...(r.cpuShares ? { shares: r.cpuShares } : {}),
              ...(r.cpuQuota ? { quota: r.cpuQuota } : {}),
              ...(r.cpuPeriod ? { period: r.cpuPeriod } : {}),
            },
          }
        : {}),
      ...(r.pidsLimit ? { pids: { limit: r.pidsLimit } } : {}),
    },
    ...(sandboxConfig.linux.sysctls && Object.keys(sandboxConfig.linux.sysctls).length
      ? { sysctl: sandboxConfig.linux.sysctls }
      : {}),
    ...(privileged
      ? { devices: input.hostDevices }
      : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    ...(input.seccomp ? { seccomp: input.seccomp } : {}),
  };

  return {
    ociVersion: '1.0.2',
    process: {
      terminal: config.tty,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
      },
      args: containerArgv(config, image),
      env: containerEnv(config, image),
      cwd: config.workingDir || image.workingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: sc.noNewPrivs && !privileged,
      ...(r.oomScoreAdj !== undefined
        ? { oomScoreAdj: Math.max(r.oomScoreAdj, input.minOomScoreAdj ?? -1000) }
        : {}),
    },
    root: { path: input.rootfs, readonly: sc.readonlyRootfs },
    ...(namespaces.uts ? { hostname: sandboxConfig.hostname } : {}),
    mounts: [...defaultMounts(privileged), ...etc, ...userMounts],
    linux,
  };
}
