/**
 * The host's cgroup layout, as the oci runtime uses it: pod-level limits on a pod's cgroup parent, OOM kills and
 * usage of a container's cgroup, removal. Containers' own cgroups and limits are the OCI runtime's (runc and crun
 * translate the spec's resources for either layout); what Tugboat writes itself is the pod level.
 *
 * - v1 (also "hybrid", v1 controllers beside a v2 `unified` mount): one hierarchy per controller, each with the
 *   pod's directory.
 * - v2 (unified): one tree; a controller's files exist in a cgroup only when its parent lists the controller in
 *   `cgroup.subtree_control`, so every ancestor of a pod's cgroup enables the ones pod limits need.
 */
import { mkdir, readFile, readdir, rmdir, stat, lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LinuxContainerResources } from '../../cri/types.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Controllers pod limits and container stats need. */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'];
const V2_CONTROLLERS = ['cpu', 'memory', 'pids'];

export interface CgroupUsage {
  cpuUsageCoreNanoSeconds: number;
  memoryUsageBytes: number;
  /** Usage less inactive file pages, what the kubelet's eviction and `kubectl top` count. */
  memoryWorkingSetBytes: number;
}

export interface CgroupLayout {
  readonly version: 1 | 2;
  /** Why pods cannot get their limits with this layout, or undefined when they can. */
  problem(): Promise<string | undefined>;
  /** Creates the pod's cgroup parent (relative to the root) with the pod-level limits. */
  applyPodResources(relPath: string, r: LinuxContainerResources): Promise<void>;
  /** Removes a cgroup (its children must be gone already); absent is fine. */
  remove(relPath: string): Promise<void>;
  /** OOM kills recorded in a cgroup (0 when it is gone). */
  oomKills(relPath: string): Promise<number>;
  usage(relPath: string): Promise<CgroupUsage>;
  /** The directory of a relative cgroup path in each hierarchy (one for v2). */
  paths(relPath: string): Promise<string[]>;
}

/** The layout mounted at root: v2 when the root is a unified hierarchy (it has `cgroup.controllers`). */
export async function openCgroups(root = CGROUP_ROOT): Promise<CgroupLayout> {
  return (await exists(path.join(root, 'cgroup.controllers'))) ? new CgroupV2(root) : new CgroupV1(root);
}

/**
 * kubelet's conversion of cgroup v1 cpu.shares (2-262144) to v2 cpu.weight (1-10000), which runc and crun use
 * for containers too, so a pod and its containers keep the same proportions.
 */
export function cpuWeightFromShares(shares: number): number {
  return 1 + Math.floor(((Math.max(2, Math.min(shares, 262_144)) - 2) * 9999) / 262_142);
}

export class CgroupV1 implements CgroupLayout {
  readonly version = 1;
  constructor(private readonly root: string) {}

  async problem(): Promise<string | undefined> {
    const missing: string[] = [];
    for (const c of V1_CONTROLLERS) if (!(await exists(path.join(this.root, c)))) missing.push(c);
    return missing.length
      ? `cgroup v1 controllers not mounted under ${this.root}: ${missing.join(', ')}`
      : undefined;
  }

  async applyPodResources(relPath: string, r: LinuxContainerResources): Promise<void> {
    const writes: [string, string, number | undefined][] = [
      ['cpu', 'cpu.shares', r.cpuShares],
      ['cpu', 'cpu.cfs_period_us', r.cpuPeriod],
      ['cpu', 'cpu.cfs_quota_us', r.cpuQuota],
      ['memory', 'memory.limit_in_bytes', r.memoryLimitInBytes],
      ['pids', 'pids.max', r.pidsLimit],
    ];
    for (const c of V1_CONTROLLERS) await mkdir(path.join(this.root, c, relPath), { recursive: true });
    for (const [controller, file, value] of writes) {
      if (value) await writeFile(path.join(this.root, controller, relPath, file), String(value));
    }
  }

  async remove(relPath: string): Promise<void> {
    for (const dir of await this.paths(relPath)) await removeDir(dir);
  }

  async oomKills(relPath: string): Promise<number> {
    const control = await this.read('memory', relPath, 'memory.oom_control');
    return statField(control, 'oom_kill');
  }

  async usage(relPath: string): Promise<CgroupUsage> {
    const cpu = Number((await this.read('cpuacct', relPath, 'cpuacct.usage')).trim() || 0);
    const memory = Number((await this.read('memory', relPath, 'memory.usage_in_bytes')).trim() || 0);
    const inactive = statField(await this.read('memory', relPath, 'memory.stat'), 'total_inactive_file');
    return {
      cpuUsageCoreNanoSeconds: cpu,
      memoryUsageBytes: memory,
      memoryWorkingSetBytes: Math.max(0, memory - inactive),
    };
  }

  /** Every hierarchy mounted under the root (the v2 `unified` one of a hybrid layout too; links skipped). */
  async paths(relPath: string): Promise<string[]> {
    const out: string[] = [];
    for (const name of await readdir(this.root)) {
      const p = path.join(this.root, name);
      const s = await lstat(p).catch(() => undefined);
      if (s?.isDirectory()) out.push(path.join(p, relPath));
    }
    return out;
  }

  private read(controller: string, relPath: string, file: string): Promise<string> {
    return readFile(path.join(this.root, controller, relPath, file), 'utf8').catch(() => '');
  }
}

export class CgroupV2 implements CgroupLayout {
  readonly version = 2;
  constructor(private readonly root: string) {}

  async problem(): Promise<string | undefined> {
    const available = words(await readFile(path.join(this.root, 'cgroup.controllers'), 'utf8'));
    const missing = V2_CONTROLLERS.filter((c) => !available.includes(c));
    return missing.length
      ? `cgroup v2 controllers not available under ${this.root}: ${missing.join(', ')} (bound to cgroup v1?)`
      : undefined;
  }

  async applyPodResources(relPath: string, r: LinuxContainerResources): Promise<void> {
    const dir = await this.createWithControllers(relPath);
    const cpuMax = r.cpuQuota && r.cpuQuota > 0 ? `${r.cpuQuota} ${r.cpuPeriod || 100_000}` : undefined;
    const writes: [string, string | number | undefined][] = [
      ['cpu.weight', r.cpuShares ? cpuWeightFromShares(r.cpuShares) : undefined],
      ['cpu.max', cpuMax],
      ['memory.max', r.memoryLimitInBytes],
      ['pids.max', r.pidsLimit],
    ];
    for (const [file, value] of writes) if (value) await writeFile(path.join(dir, file), String(value));
  }

  /**
   * Creates the cgroup and enables the pod controllers in it and every ancestor. Enabling is what makes the
   * limit files exist one level down; a cgroup with processes of its own refuses it (the "no internal
   * processes" rule), which a pod's directories never have.
   */
  private async createWithControllers(relPath: string): Promise<string> {
    let dir = this.root;
    for (const part of ['', ...relPath.split('/').filter(Boolean)]) {
      dir = path.join(dir, part);
      if (part) await mkdir(dir).catch(ignoreCode('EEXIST'));
      const available = words(await readFile(path.join(dir, 'cgroup.controllers'), 'utf8'));
      const enabled = words(await readFile(path.join(dir, 'cgroup.subtree_control'), 'utf8'));
      const enable = V2_CONTROLLERS.filter((c) => available.includes(c) && !enabled.includes(c));
      if (enable.length) {
        await writeFile(path.join(dir, 'cgroup.subtree_control'), enable.map((c) => `+${c}`).join(' '));
      }
    }
    return dir;
  }

  async remove(relPath: string): Promise<void> {
    await removeDir(path.join(this.root, relPath));
  }

  async oomKills(relPath: string): Promise<number> {
    return statField(await this.read(relPath, 'memory.events'), 'oom_kill');
  }

  async usage(relPath: string): Promise<CgroupUsage> {
    const cpuMicros = statField(await this.read(relPath, 'cpu.stat'), 'usage_usec');
    const memory = Number((await this.read(relPath, 'memory.current')).trim() || 0);
    const inactive = statField(await this.read(relPath, 'memory.stat'), 'inactive_file');
    return {
      cpuUsageCoreNanoSeconds: cpuMicros * 1000,
      memoryUsageBytes: memory,
      memoryWorkingSetBytes: Math.max(0, memory - inactive),
    };
  }

  paths(relPath: string): Promise<string[]> {
    return Promise.resolve([path.join(this.root, relPath)]);
  }

  private read(relPath: string, file: string): Promise<string> {
    return readFile(path.join(this.root, relPath, file), 'utf8').catch(() => '');
  }
}

/** The value of `key N` in a flat keyed cgroup file (memory.stat, cpu.stat, memory.events); 0 when absent. */
export function statField(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function removeDir(dir: string): Promise<void> {
  await rmdir(dir).catch(ignoreCode('ENOENT'));
}

function ignoreCode(code: string): (err: NodeJS.ErrnoException) => void {
  return (err) => {
    if (err.code !== code) throw err;
  };
}
