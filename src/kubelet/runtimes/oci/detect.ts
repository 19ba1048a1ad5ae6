/**
 * Finds an OCI runtime that really works here by running a trivial container with it. crun is preferred
 * (faster) but refuses hybrid cgroup layouts; runc is the baseline.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../common/run.js';
import { openCgroups, type CgroupLayout } from './cgroups.js';

export interface OciRuntimeBinary {
  name: 'runc' | 'crun';
  path: string;
  version: string;
}

export interface Detection {
  /** The default: the preferred binary, else the first that works of crun and runc. */
  runtime?: OciRuntimeBinary;
  /** Every binary that works here (the default included), for pods' runtime handlers. */
  handlers: OciRuntimeBinary[];
  conmonPath?: string;
  /** Why each candidate was rejected, for the node's status and logs. */
  rejected: string[];
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function which(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      await access(p);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Limits of the probe's pod and container: what a pod with limits asks of the cgroups. */
const PROBE_POD_LIMITS = {
  cpuShares: 2,
  cpuQuota: 100_000,
  cpuPeriod: 100_000,
  memoryLimitInBytes: 64 << 20,
  pidsLimit: 64,
};
const PROBE_CONTAINER_LIMITS = {
  memory: { limit: 32 << 20, swap: 32 << 20 },
  cpu: { shares: 2, quota: 50_000, period: 100_000 },
  pids: { limit: 32 },
};

/**
 * A bundle whose rootfs is empty but for the host's /usr bound read-only, running /bin/true in a cgroup with
 * limits, under a pod parent with limits of its own.
 */
async function probeBundle(dir: string, cgroupsPath: string): Promise<void> {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['usr', 'proc', 'dev', 'sys']) await mkdir(path.join(rootfs, d), { recursive: true });
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) await symlink(`usr/${l}`, path.join(rootfs, l));
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['/bin/true'],
      cwd: '/',
      env: ['PATH=/usr/bin:/bin'],
    },
    root: { path: 'rootfs', readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }],
      cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }], ...PROBE_CONTAINER_LIMITS },
    },
  };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
}

/**
 * Runs a trivial container with the binary, with pod and container limits as a pod would have them; returns the
 * failure text, or undefined when it worked.
 */
export async function probeRuntime(binary: string, cgroups: CgroupLayout): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tugboat-probe-'));
  const id = `tugboat-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const podLimits = await cgroups.applyPodResources(id, PROBE_POD_LIMITS).then(
      () => undefined,
      (err: Error) => `pod cgroup limits: ${err.message}`,
    );
    if (podLimits) return podLimits;
    await probeBundle(dir, `/${id}/container`);
    const res = await run([binary, '--root', path.join(dir, 'state'), 'run', '--bundle', dir, id], {
      allowFailure: true,
      timeoutMs: 10_000,
    });
    if (res.code === 0) return undefined;
    await run([binary, '--root', path.join(dir, 'state'), 'delete', '--force', id], { allowFailure: true });
    return (res.stderr || res.stdout).trim().split('\n').pop() ?? `exit ${res.code}`;
  } finally {
    await cgroups.remove(`${id}/container`).catch(() => {});
    await cgroups.remove(id).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

export async function detectOciRuntime(preferred?: 'runc' | 'crun'): Promise<Detection> {
  const rejected: string[] = [];
  if (process.getuid?.() !== 0) return { handlers: [], rejected: ['not running as root'] };
  const conmonPath = await which('conmon');
  if (!conmonPath) rejected.push('conmon not found');
  const cgroups = await openCgroups();
  const problem = await cgroups.problem();
  if (problem)
    return { ...(conmonPath ? { conmonPath } : {}), handlers: [], rejected: [...rejected, problem] };
  const order: ('runc' | 'crun')[] = preferred === 'runc' ? ['runc', 'crun'] : ['crun', 'runc'];
  const handlers: OciRuntimeBinary[] = [];
  for (const name of order) {
    const p = await which(name);
    if (!p) {
      rejected.push(`${name} not found`);
      continue;
    }
    const failure = await probeRuntime(p, cgroups);
    if (failure) {
      rejected.push(`${name} does not work here: ${failure}`);
      continue;
    }
    const version = (await run([p, '--version'])).stdout.split('\n')[0]?.replace(/^\S+ version /, '') ?? '';
    handlers.push({ name, path: p, version });
  }
  // A pinned binary that does not work is no default, even when another one does.
  const runtime = handlers[0] && (!preferred || handlers[0].name === preferred) ? handlers[0] : undefined;
  return { ...(runtime ? { runtime } : {}), handlers, ...(conmonPath ? { conmonPath } : {}), rejected };
}
