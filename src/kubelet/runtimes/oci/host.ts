/** Host-side plumbing of the oci runtime: namespaces held without a process, overlay mounts, capabilities, devices. */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../common/run.js';
import { capabilitiesInMask } from './capabilities.js';
import type { LinuxDevice } from './spec.js';

export const NETNS_DIR = '/var/run/netns';

/** `ip netns add`: a bind-mounted network namespace in /var/run/netns, visible to `ip netns list`. */
export async function createNetns(name: string): Promise<string> {
  await run(['ip', 'netns', 'add', name]);
  return path.join(NETNS_DIR, name);
}

export async function deleteNetns(name: string): Promise<void> {
  const res = await run(['ip', 'netns', 'delete', name], { allowFailure: true });
  if (res.code !== 0 && !/No such file|does not exist/i.test(res.stderr)) {
    throw new Error(`ip netns delete ${name}: ${res.stderr.trim()}`);
  }
}

/** Where a sandbox's held IPC and UTS namespaces live (files in its directory). */
export function holdIpcUtsPaths(
  dir: string,
  wantIpc: boolean,
  wantUts: boolean,
): { ipcPath?: string; utsPath?: string } {
  return {
    ...(wantIpc ? { ipcPath: path.join(dir, 'ipc') } : {}),
    ...(wantUts ? { utsPath: path.join(dir, 'uts') } : {}),
  };
}

/**
 * New IPC and UTS namespaces kept alive by bind mounts onto files (util-linux `unshare --ipc=FILE --uts=FILE`),
 * so no pause process is needed; containers join them by path.
 */
export async function holdIpcUts(paths: { ipcPath?: string; utsPath?: string }): Promise<void> {
  const args = ['unshare'];
  if (paths.ipcPath) {
    await writeFile(paths.ipcPath, '');
    args.push(`--ipc=${paths.ipcPath}`);
  }
  if (paths.utsPath) {
    await writeFile(paths.utsPath, '');
    args.push(`--uts=${paths.utsPath}`);
  }
  if (args.length > 1) await run([...args, 'true']);
}

/** Unmounts path if it is a mount point; absent or unmounted paths are fine. */
export async function unmount(target: string): Promise<void> {
  const res = await run(['umount', target], { allowFailure: true });
  if (res.code !== 0 && !/not mounted|no mount point|No such file/i.test(res.stderr)) {
    // A busy mount is detached lazily rather than leaked.
    await run(['umount', '-l', target]);
  }
}

export async function mountOverlay(
  lowerDirs: string[],
  upper: string,
  work: string,
  target: string,
): Promise<void> {
  // overlayfs wants the topmost layer first.
  const lower = [...lowerDirs].reverse().join(':');
  await run([
    'mount',
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
    target,
  ]);
}

export async function isMounted(target: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === target);
}

export async function boundingCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  return capabilitiesInMask(/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0');
}

/**
 * The lowest oom_score_adj this process may hand to its children: anything with CAP_SYS_RESOURCE may go to
 * -1000; without it (root in some containers and sandboxes) nothing below its own value.
 */
export async function lowestOomScoreAdj(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const effective = capabilitiesInMask(/^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0');
  if (effective.includes('CAP_SYS_RESOURCE')) return -1000;
  const own = Number((await readFile('/proc/self/oom_score_adj', 'utf8')).trim());
  return Number.isFinite(own) ? own : 0;
}

/** Top-level character and block devices of the host's /dev, for privileged containers. */
export async function hostDevices(): Promise<LinuxDevice[]> {
  const out: LinuxDevice[] = [];
  for (const name of await readdir('/dev')) {
    const p = path.join('/dev', name);
    const s = await stat(p).catch(() => undefined);
    if (!s || (!s.isCharacterDevice() && !s.isBlockDevice())) continue;
    if (['console', 'ptmx', 'tty'].includes(name)) continue;
    out.push({
      path: p,
      type: s.isCharacterDevice() ? 'c' : 'b',
      major: Math.floor(s.rdev / 256) & 0xfff,
      minor: (s.rdev & 0xff) | ((s.rdev >> 12) & 0xfff00),
      fileMode: s.mode & 0o777,
      uid: s.uid,
      gid: s.gid,
    });
  }
  return out;
}
