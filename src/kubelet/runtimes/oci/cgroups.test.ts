import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../../util/wait.js';
import { run } from '../common/run.js';
import { CgroupV1, CgroupV2, cpuWeightFromShares, openCgroups, statField } from './cgroups.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** A directory shaped like a cgroup mount: `name/` is a directory, `name.x` a file, `[link, target]` a link. */
async function fakeRoot(entries: Record<string, string> | string[], links: [string, string][] = []) {
  const root = await mkdtemp(path.join(tmpdir(), 'tugboat-cgroups-'));
  roots.push(root);
  const files = Array.isArray(entries) ? Object.fromEntries(entries.map((e) => [e, ''])) : entries;
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(root, name);
    if (name.endsWith('/')) await mkdir(p, { recursive: true });
    else {
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, content);
    }
  }
  for (const [name, target] of links) await symlink(target, path.join(root, name));
  return root;
}

describe('cgroup layout', () => {
  it('is v2 where the root is a unified hierarchy, v1 otherwise', async () => {
    assert.equal((await openCgroups(await fakeRoot(['cgroup.controllers']))).version, 2);
    assert.equal((await openCgroups(await fakeRoot(['memory/', 'unified/']))).version, 1);
  });

  it('v1: accepts a hybrid layout, cpu and cpuacct as links to a shared hierarchy included', async () => {
    const root = await fakeRoot(
      ['cpu,cpuacct/', 'memory/', 'pids/', 'unified/'],
      [
        ['cpu', 'cpu,cpuacct'],
        ['cpuacct', 'cpu,cpuacct'],
      ],
    );
    assert.equal(await new CgroupV1(root).problem(), undefined);
    // Links are not hierarchies of their own.
    assert.deepEqual(
      (await new CgroupV1(root).paths('tugboat/pod1')).sort(),
      ['cpu,cpuacct', 'memory', 'pids', 'unified'].map((h) => path.join(root, h, 'tugboat/pod1')),
    );
  });

  it('v1: names the controllers that are not mounted', async () => {
    const root = await fakeRoot(['cpu/', 'cpuacct/']);
    assert.equal(
      await new CgroupV1(root).problem(),
      `cgroup v1 controllers not mounted under ${root}: memory, pids`,
    );
  });

  it('v2: names the controllers the unified hierarchy lacks', async () => {
    const partial = await fakeRoot({ 'cgroup.controllers': 'cpuset cpu io hugetlb\n' });
    assert.equal(
      await new CgroupV2(partial).problem(),
      `cgroup v2 controllers not available under ${partial}: memory, pids (bound to cgroup v1?)`,
    );
    const full = await fakeRoot({ 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n' });
    assert.equal(await new CgroupV2(full).problem(), undefined);
  });

  it('v1: pod limits go to each controller hierarchy; stats and OOM kills are read from them', async () => {
    const root = await fakeRoot(['cpu/', 'cpuacct/', 'memory/', 'pids/']);
    const v1 = new CgroupV1(root);
    await v1.applyPodResources('tugboat/pod1', {
      cpuShares: 512,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      memoryLimitInBytes: 1 << 20,
      pidsLimit: 10,
    });
    const read = (f: string) => readFile(path.join(root, f), 'utf8');
    assert.equal(await read('cpu/tugboat/pod1/cpu.shares'), '512');
    assert.equal(await read('cpu/tugboat/pod1/cpu.cfs_quota_us'), '50000');
    assert.equal(await read('cpu/tugboat/pod1/cpu.cfs_period_us'), '100000');
    assert.equal(await read('memory/tugboat/pod1/memory.limit_in_bytes'), String(1 << 20));
    assert.equal(await read('pids/tugboat/pod1/pids.max'), '10');
    await writeFile(path.join(root, 'cpuacct/tugboat/pod1/cpuacct.usage'), '123456789\n');
    await writeFile(path.join(root, 'memory/tugboat/pod1/memory.usage_in_bytes'), '1000\n');
    await writeFile(path.join(root, 'memory/tugboat/pod1/memory.stat'), 'cache 5\ntotal_inactive_file 300\n');
    await writeFile(
      path.join(root, 'memory/tugboat/pod1/memory.oom_control'),
      'oom_kill_disable 0\noom_kill 2\n',
    );
    assert.deepEqual(await v1.usage('tugboat/pod1'), {
      cpuUsageCoreNanoSeconds: 123_456_789,
      memoryUsageBytes: 1000,
      memoryWorkingSetBytes: 700,
    });
    assert.equal(await v1.oomKills('tugboat/pod1'), 2);
    assert.equal(await v1.oomKills('tugboat/gone'), 0);
  });

  it('v2: enables the pod controllers down the path, writes the limits in v2 terms, reads v2 stats', async () => {
    // The kernel gives each new cgroup the files below; a fake tree has them from the start.
    const root = await fakeRoot({
      'cgroup.controllers': 'cpuset cpu io memory pids',
      'cgroup.subtree_control': 'cpu memory pids',
      'tugboat/cgroup.controllers': 'cpu memory pids',
      'tugboat/cgroup.subtree_control': 'memory',
      'tugboat/pod1/cgroup.controllers': 'memory',
      'tugboat/pod1/cgroup.subtree_control': '',
    });
    const v2 = new CgroupV2(root);
    await v2.applyPodResources('tugboat/pod1', {
      cpuShares: 1024,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      memoryLimitInBytes: 1 << 20,
      pidsLimit: 10,
    });
    const read = (f: string) => readFile(path.join(root, f), 'utf8');
    assert.equal(await read('cgroup.subtree_control'), 'cpu memory pids', 'nothing to enable at the root');
    assert.equal(await read('tugboat/cgroup.subtree_control'), '+cpu +pids', 'only what is missing');
    assert.equal(await read('tugboat/pod1/cgroup.subtree_control'), '+memory', 'only what is available');
    assert.equal(await read('tugboat/pod1/cpu.weight'), '39');
    assert.equal(await read('tugboat/pod1/cpu.max'), '50000 100000');
    assert.equal(await read('tugboat/pod1/memory.max'), String(1 << 20));
    assert.equal(await read('tugboat/pod1/pids.max'), '10');

    await writeFile(path.join(root, 'tugboat/pod1/cpu.stat'), 'usage_usec 1500\nuser_usec 1000\n');
    await writeFile(path.join(root, 'tugboat/pod1/memory.current'), '1000\n');
    await writeFile(
      path.join(root, 'tugboat/pod1/memory.stat'),
      'anon 600\nactive_file 100\ninactive_file 300\n',
    );
    await writeFile(
      path.join(root, 'tugboat/pod1/memory.events'),
      'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    );
    assert.deepEqual(await v2.usage('tugboat/pod1'), {
      cpuUsageCoreNanoSeconds: 1_500_000,
      memoryUsageBytes: 1000,
      memoryWorkingSetBytes: 700,
    });
    assert.equal(await v2.oomKills('tugboat/pod1'), 1);
    assert.deepEqual(await v2.paths('tugboat/pod1'), [path.join(root, 'tugboat/pod1')]);
  });

  it('v2: a quota without a period takes the default period; no quota leaves cpu.max alone', async () => {
    const root = await fakeRoot({ 'cgroup.controllers': 'cpu', 'cgroup.subtree_control': 'cpu' });
    await mkdir(path.join(root, 'a'));
    await writeFile(path.join(root, 'a/cgroup.controllers'), 'cpu');
    await writeFile(path.join(root, 'a/cgroup.subtree_control'), '');
    const v2 = new CgroupV2(root);
    await v2.applyPodResources('a', { cpuQuota: 20_000 });
    assert.equal(await readFile(path.join(root, 'a/cpu.max'), 'utf8'), '20000 100000');
    await rm(path.join(root, 'a/cpu.max'));
    await v2.applyPodResources('a', { cpuShares: 2 });
    assert.deepEqual((await readdir(path.join(root, 'a'))).sort(), [
      'cgroup.controllers',
      'cgroup.subtree_control',
      'cpu.weight',
    ]);
  });

  it('converts cpu shares to weights as the kubelet does', () => {
    assert.equal(cpuWeightFromShares(2), 1);
    assert.equal(cpuWeightFromShares(1024), 39);
    assert.equal(cpuWeightFromShares(262_144), 10_000);
    assert.equal(cpuWeightFromShares(1), 1, 'below the v1 minimum');
  });

  it('reads flat keyed files by whole key', () => {
    const text = 'total_inactive_file 7\ninactive_file 3\n';
    assert.equal(statField(text, 'inactive_file'), 3);
    assert.equal(statField(text, 'total_inactive_file'), 7);
    assert.equal(statField(text, 'absent'), 0);
  });
});

/** The real kernel's unified hierarchy, mounted on a directory of the test's own (root and cgroup2 needed). */
async function cgroup2Skip(): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'needs root to mount cgroup2';
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  return /\tcgroup2$/m.test(filesystems) ? false : 'the kernel has no cgroup2';
}

describe('cgroup v2 on the kernel', async () => {
  const skip = await cgroup2Skip();
  if (skip) console.log(`# skipping the kernel cgroup v2 tests: ${skip}`);

  it(
    'reports the missing controllers, creates a pod cgroup, reads a process CPU time, removes it',
    { skip },
    async () => {
      const mountPoint = await mkdtemp(path.join(tmpdir(), 'tugboat-cgroup2-'));
      await run(['mount', '-t', 'cgroup2', 'none', mountPoint]);
      const rel = `tugboat-cgroups-test-${process.pid}/pod1`;
      const v2 = await openCgroups(mountPoint);
      let child: ReturnType<typeof spawn> | undefined;
      try {
        assert.equal(v2.version, 2);
        const available = (await readFile(path.join(mountPoint, 'cgroup.controllers'), 'utf8')).split(/\s+/);
        const missing = ['cpu', 'memory', 'pids'].filter((c) => !available.includes(c));
        assert.equal(
          await v2.problem(),
          missing.length
            ? `cgroup v2 controllers not available under ${mountPoint}: ${missing.join(', ')} (bound to cgroup v1?)`
            : undefined,
        );
        await v2.applyPodResources(rel, {});
        const dir = path.join(mountPoint, rel);
        assert.deepEqual(await v2.paths(rel), [dir]);
        // A busy process in the cgroup: the kernel's cpu.stat (there with or without the cpu controller) counts it.
        child = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], {
          stdio: 'ignore',
        });
        await writeFile(path.join(dir, 'cgroup.procs'), String(child.pid));
        await waitFor(async () => (await v2.usage(rel)).cpuUsageCoreNanoSeconds > 20_000_000, {
          timeoutMs: 5000,
          message: 'CPU time of the process in the cgroup',
        });
        assert.equal(await v2.oomKills(rel), 0);
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        child = undefined;
        // The kernel empties the cgroup a moment after the process is reaped.
        await waitFor(
          async () => (await readFile(path.join(dir, 'cgroup.events'), 'utf8')).includes('populated 0'),
          { timeoutMs: 5000, message: 'the cgroup to empty' },
        );
        await v2.remove(rel);
        await v2.remove(rel); // absent is fine
        await assert.rejects(readdir(dir), /ENOENT/);
      } finally {
        child?.kill('SIGKILL');
        await rmdir(path.join(mountPoint, rel)).catch(() => {});
        await rmdir(path.join(mountPoint, path.dirname(rel))).catch(() => {});
        await run(['umount', mountPoint]);
        await rmdir(mountPoint);
      }
    },
  );
});
