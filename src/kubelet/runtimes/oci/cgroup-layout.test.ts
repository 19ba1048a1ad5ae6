import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cgroupLayoutProblem } from './host.js';

describe('cgroupLayoutProblem', () => {
  const roots: string[] = [];
  const fakeRoot = async (entries: string[], links: [string, string][] = []): Promise<string> => {
    const root = await mkdtemp(path.join(tmpdir(), 'tugboat-cgroup-layout-'));
    roots.push(root);
    for (const e of entries) {
      if (e.includes('.')) await writeFile(path.join(root, e), '');
      else await mkdir(path.join(root, e));
    }
    for (const [name, target] of links) await symlink(target, path.join(root, name));
    return root;
  };
  after(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it('accepts a hybrid layout, cpu and cpuacct as links to a shared hierarchy included', async () => {
    const root = await fakeRoot(
      ['cpu,cpuacct', 'memory', 'pids', 'unified'],
      [
        ['cpu', 'cpu,cpuacct'],
        ['cpuacct', 'cpu,cpuacct'],
      ],
    );
    assert.equal(await cgroupLayoutProblem(root), undefined);
  });

  it('refuses a host with only the unified v2 hierarchy', async () => {
    const root = await fakeRoot(['cgroup.controllers', 'cgroup.subtree_control', 'system.slice']);
    assert.match((await cgroupLayoutProblem(root)) ?? '', /is a cgroup v2 \(unified\) hierarchy/);
  });

  it('names the v1 controllers that are missing', async () => {
    const root = await fakeRoot(['cpu', 'cpuacct']);
    assert.equal(
      await cgroupLayoutProblem(root),
      `cgroup v1 controllers not mounted under ${root}: memory, pids`,
    );
  });
});
